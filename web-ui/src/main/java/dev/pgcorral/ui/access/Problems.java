package dev.pgcorral.ui.access;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;

import tools.jackson.databind.json.JsonMapper;

/** Writes a refusal from a filter as a problem document, like every other error of web-ui. */
final class Problems {

    private Problems() {
    }

    static void write(JsonMapper json, HttpServletRequest request, HttpServletResponse response, int status, String title,
                      String detail) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        response.setStatus(HttpStatusCode.valueOf(status).value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json.writeValueAsString(problem));
    }
}
