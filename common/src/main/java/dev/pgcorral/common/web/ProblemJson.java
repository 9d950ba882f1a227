package dev.pgcorral.common.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

import tools.jackson.databind.json.JsonMapper;

/**
 * An RFC 9457 problem document written where Spring MVC's message converters are not at hand (the
 * servlet container's own error reports, filters): {@code title, status, detail, instance} ({@code type} left out: {@code about:blank}).
 */
public final class ProblemJson {

    public static final String CONTENT_TYPE = "application/problem+json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_INSTANCE_LENGTH = 200;

    private ProblemJson() {
    }

    /** The document for {@code status}; {@code instance} (the request path) is left out when unknown. */
    public static String render(int status, String detail, String instance) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        if (instance != null && !instance.isEmpty()) {
            problem.put("instance", instance.length() > MAX_INSTANCE_LENGTH ? instance.substring(0, MAX_INSTANCE_LENGTH) + "…" : instance);
        }
        return JSON.writeValueAsString(problem);
    }

    /** The status's reason phrase, e.g. {@code Bad Request}. */
    public static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "HTTP " + status : known.getReasonPhrase();
    }

    /** What to say about an error the service did not describe itself. */
    public static String genericDetail(int status) {
        return status >= 500 ? "the service failed to handle this request; its log has the details"
                : "the request was refused: " + title(status).toLowerCase(java.util.Locale.ROOT);
    }
}
