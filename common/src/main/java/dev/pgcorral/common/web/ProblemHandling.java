package dev.pgcorral.common.web;

import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every API error as {@code application/problem+json}: our {@link ApiException}s, and Spring MVC's
 * own (malformed JSON, failed validation, wrong types, unknown paths) as 4xx problems.
 */
@RestControllerAdvice
public class ProblemHandling extends ResponseEntityExceptionHandler {

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        return ResponseEntity.status(e.status()).body(e.toProblem());
    }
}
