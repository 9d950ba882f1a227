package dev.pgcorral.common.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives an error status that comes without a body a problem document: Actuator answers some errors
 * (an unknown metric, an unknown health group) with a bare 404. Responses that write a body (a DOWN
 * health report, any problem document) pass unchanged.
 */
public class EmptyErrorBodies extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        BodyWatch watched = new BodyWatch(response);
        chain.doFilter(request, watched);
        int status = response.getStatus();
        if (status >= 400 && !watched.bodyStarted && !response.isCommitted() && !request.isAsyncStarted()) {
            String detail = status == 404 ? "nothing at " + request.getRequestURI() : ProblemJson.genericDetail(status);
            byte[] body = ProblemJson.render(status, detail, request.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            response.resetBuffer();
            response.setContentType(ProblemJson.CONTENT_TYPE);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }

    /** Notes whether the application took the response's stream or writer. */
    private static final class BodyWatch extends HttpServletResponseWrapper {
        private boolean bodyStarted;

        BodyWatch(HttpServletResponse response) {
            super(response);
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            bodyStarted = true;
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            bodyStarted = true;
            return super.getWriter();
        }
    }
}
