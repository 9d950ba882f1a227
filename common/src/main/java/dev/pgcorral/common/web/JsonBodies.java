package dev.pgcorral.common.web;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Reads request bodies as JSON whatever their Content-Type, as the seeds' servers do (their clients' scripts
 * send JSON with {@code curl -d}, which says {@code application/x-www-form-urlencoded}), for the methods and
 * paths (servlet paths) given; a body already declared as JSON is left alone.
 */
public class JsonBodies extends OncePerRequestFilter implements Ordered {

    /**
     * Before Spring's form content filter (order -9900), which would read a PUT's body declared as form data as form
     * fields and leave nothing to read as JSON.
     */
    public static final int ORDER = -10000;

    private final Set<String> methods;
    private final Predicate<String> paths;

    public JsonBodies(Set<String> methods, Predicate<String> paths) {
        this.methods = Set.copyOf(methods);
        this.paths = paths;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        return !methods.contains(request.getMethod()) || !paths.test(request.getServletPath())
                || type != null && type.toLowerCase(Locale.ROOT).contains("json");
    }

    /**
     * The request as JSON; its parameters are the query string's only: the container would otherwise read a body declared
     * as form data into parameters as soon as one is asked for, and leave nothing to read as JSON.
     */
    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Map<String, String[]> query = queryParameters(request.getQueryString());
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getContentType() {
                return MediaType.APPLICATION_JSON_VALUE;
            }

            @Override
            public String getParameter(String name) {
                String[] values = query.get(name);
                return values == null ? null : values[0];
            }

            @Override
            public Map<String, String[]> getParameterMap() {
                return query;
            }

            @Override
            public Enumeration<String> getParameterNames() {
                return Collections.enumeration(query.keySet());
            }

            @Override
            public String[] getParameterValues(String name) {
                String[] values = query.get(name);
                return values == null ? null : values.clone();
            }

            @Override
            public String getHeader(String name) {
                return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? getContentType() : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name) ? Collections.enumeration(List.of(getContentType()))
                        : super.getHeaders(name);
            }
        }, response);
    }

    /** The query string's parameters, decoded as a form's ({@code +} a space). */
    static Map<String, String[]> queryParameters(String queryString) {
        Map<String, String[]> parameters = new LinkedHashMap<>();
        if (queryString == null) {
            return parameters;
        }
        UriComponentsBuilder.fromUriString("?" + queryString).build().getQueryParams().forEach((name, values) ->
                parameters.put(decode(name), values.stream().map(v -> v == null ? "" : decode(v)).toArray(String[]::new)));
        return Collections.unmodifiableMap(parameters);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text; // a stray %: as written
        }
    }
}
