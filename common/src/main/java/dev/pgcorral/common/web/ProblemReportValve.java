package dev.pgcorral.common.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Tomcat's error report, as a problem document instead of an HTML page. Tomcat writes this report
 * itself, outside any web application, for requests it refuses before they reach Spring: a path that
 * is not valid %-encoded UTF-8 or holds {@code %00}, an encoded {@code /} or {@code \}, a request
 * line or headers too large, a malformed request. Installed as the host's error report valve by
 * {@link #onTheHost()} ({@link ContainerProblems}'s, and web-ui's). The request's own text is never echoed in the detail (it may hold a
 * password in its query string).
 */
public class ProblemReportValve extends ErrorReportValve {

    private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);

    /** Installs it as the error report valve of the host the application runs on. */
    public static WebServerFactoryCustomizer<TomcatServletWebServerFactory> onTheHost() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
            }
        });
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        log.debug("the servlet container refused a request with {}: {}", status, response.getMessage(), throwable);
        String body = ProblemJson.render(status, detail(status, response.getMessage(), throwable), path(request));
        try {
            response.setContentType(ProblemJson.CONTENT_TYPE);
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("could not write the problem report for a {} response: {}", status, e.toString());
        }
    }

    static String detail(int status, String message, Throwable throwable) {
        String why = (message == null ? "" : message) + " " + (throwable == null ? "" : String.valueOf(throwable.getMessage()));
        if (status == 400 && why.contains("too large") || status == 413 || status == 414 || status == 431) {
            return "the request line or headers are too large; send a shorter query string and fewer or smaller headers";
        }
        if (status == 400 && why.contains("Invalid URI")) {
            return "the request path is not valid: it must be %-encoded UTF-8 and hold no %00, no encoded '/' (%2F) or"
                    + " '\\' (%5C), and no '..' leaving the root";
        }
        if (status == 400 && why.contains("request target")) {
            return "the request target holds characters that must be %-encoded";
        }
        if (status == 505) {
            return "this server speaks HTTP/1.1 and HTTP/1.0 only";
        }
        if (status == 400) {
            return "the request could not be read: its path must be %-encoded UTF-8 (no %00, no encoded '/' or '\\'), and its"
                    + " request line and headers well-formed HTTP/1.1";
        }
        return ProblemJson.genericDetail(status);
    }

    private static String path(Request request) {
        try {
            return request.getRequestURI();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
