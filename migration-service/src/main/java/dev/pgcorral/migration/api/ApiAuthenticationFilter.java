package dev.pgcorral.migration.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;

import dev.pgcorral.common.web.BearerAuthFilter;
import dev.pgcorral.common.web.ProblemJson;

/**
 * {@link BearerAuthFilter} that, when the service is open (see {@link ApiAuthentication}), also lets through a
 * request without an Authorization header whose Host and Origin name a loopback address.
 */
public final class ApiAuthenticationFilter extends BearerAuthFilter {

    private final boolean open;

    ApiAuthenticationFilter(String password, boolean open) {
        super(password);
        this.open = open;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!open || request.getHeader(HttpHeaders.AUTHORIZATION) != null) {
            super.doFilterInternal(request, response, chain);
        } else if (local(request)) {
            chain.doFilter(request, response);
        } else {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            response.setContentType(ProblemJson.CONTENT_TYPE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write(ProblemJson.render(HttpServletResponse.SC_UNAUTHORIZED, "a call without Authorization: Bearer"
                    + " <password> is served only when its Host and Origin name this machine (localhost, 127.0.0.1 or [::1]);"
                    + " send the password (pgcorral.migration.password)", request.getRequestURI()));
        }
    }

    /** Host and, when sent, Origin name a loopback address. */
    private static boolean local(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null) {
            try {
                String host = URI.create(origin.strip()).getHost();
                if (host == null || !loopbackName(host)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        String host = request.getHeader(HttpHeaders.HOST);
        return host != null && loopbackName(hostOf(host.strip()));
    }

    /** The host part of a Host header: {@code [::1]:7654} gives {@code [::1]}, {@code localhost:7654} gives {@code localhost}. */
    private static String hostOf(String header) {
        if (header.startsWith("[")) {
            int close = header.indexOf(']');
            return close < 0 ? header : header.substring(0, close + 1);
        }
        int colon = header.indexOf(':');
        return colon < 0 ? header : header.substring(0, colon);
    }

    /** A name that is loopback without asking DNS: localhost (and its subdomains), 127.0.0.0/8, ::1. */
    private static boolean loopbackName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
    }
}
