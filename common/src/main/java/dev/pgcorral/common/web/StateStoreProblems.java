package dev.pgcorral.common.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A service that keeps its state in PostgreSQL through Spring's JDBC support answers a call it cannot serve because
 * that store is out of reach (down, restarting after a crash, no connection to be had) with {@code 503} and
 * {@code Retry-After}, a problem document that says so, rather than a 500. Only the state store's calls raise these
 * Spring exceptions: the users' own databases are reached through plain JDBC and report their faults themselves.
 * Needs spring-tx on the classpath (spring-jdbc brings it).
 */
@RestControllerAdvice
public class StateStoreProblems {

    private static final String RETRY_AFTER_SECONDS = "5";
    private static final Logger log = LoggerFactory.getLogger(StateStoreProblems.class);

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessResourceException.class,
            CannotCreateTransactionException.class})
    ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
        log.warn("a call was answered 503: the state store cannot be reached: {}", e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "the service's state store cannot be reached at the moment (an embedded one is started again by itself "
                        + "after a crash); try again in a few seconds");
        problem.setTitle("Service Unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
