package dev.pgcorral.common.web;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A body that fails validation: 400 whose {@code detail} is pgmanager's text, {@code validation: }
 * followed by the messages joined with a line feed, and whose {@code errors} lists them one by one as
 * {@code {"message": ...}}.
 */
public final class ValidationFailed extends ApiException {

    private final List<String> messages;

    public ValidationFailed(List<String> messages) {
        super(HttpStatus.BAD_REQUEST, "Bad Request", "validation: " + String.join("\n", messages));
        this.messages = List.copyOf(messages);
    }

    @Override
    public ProblemDetail toProblem() {
        ProblemDetail problem = super.toProblem();
        problem.setProperty("errors", messages.stream().map(m -> Map.of("message", m)).toList());
        return problem;
    }
}
