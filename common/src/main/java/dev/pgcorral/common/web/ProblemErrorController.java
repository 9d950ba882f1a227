package dev.pgcorral.common.web;

import java.net.URI;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page ({@code /error}) as a problem document, whatever the client
 * accepts: errors raised outside Spring MVC's handlers (a filter, {@code sendError}, an exception no
 * handler took). Replaces Spring Boot's JSON/HTML error page. A 5xx never shows the exception's
 * message: it goes to the log.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        String path = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        ProblemDetail problem;
        if (code instanceof Integer status && status >= 400) {
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), detail(status, request));
        } else {
            problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no endpoint " + request.getMethod() + " " + request.getRequestURI());
            path = request.getRequestURI();
        }
        problem.setTitle(ProblemJson.title(problem.getStatus()));
        if (path != null) {
            try {
                problem.setInstance(URI.create(path));
            } catch (IllegalArgumentException notAUri) {
                // leave it out
            }
        }
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String detail(int status, HttpServletRequest request) {
        for (Throwable t = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION); t != null && t != t.getCause();
             t = t.getCause()) {
            if (t instanceof InvalidParameterException) {
                return "the query string or form body is not valid: parameters must be name=value pairs of %-encoded UTF-8";
            }
        }
        String message = (String) request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        return status < 500 && message != null && !message.isBlank() ? message : ProblemJson.genericDetail(status);
    }
}
