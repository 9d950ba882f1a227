package dev.pgcorral.common.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires {@code Authorization: Bearer <secret>} on every request it is registered for (by URL
 * pattern, which the container matches on the decoded, normalised path, so encoded or ;-parameter
 * variants of a path are covered too). The secret is compared in constant time and never logged; a
 * missing or wrong one gets 401 as a problem document.
 */
public class BearerAuthFilter extends OncePerRequestFilter {

    private final byte[] secret;

    public BearerAuthFilter(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Constant-time comparison of a presented secret with the expected one. */
    public static boolean matches(String presented, byte[] expected) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        if (matches(presented, secret)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write(ProblemJson.render(HttpServletResponse.SC_UNAUTHORIZED, header == null
                ? "Missing Authorization: Bearer <password> header" : "Wrong password in the Authorization header",
                request.getRequestURI()));
    }
}
