package dev.pgcorral.ui.access;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import tools.jackson.databind.json.JsonMapper;

/**
 * Lets a request through only in a logged-in session, except the login page itself, its style sheet
 * and the health check. Without one, a page (a plain GET) is sent to the login form, which brings the
 * visitor back afterwards; anything else (an action, the {@code /ws} handshake) gets 401.
 */
class LoginFilter extends OncePerRequestFilter {

    static final String LOGGED_IN = LoginFilter.class.getName() + ".loggedIn";
    private static final Set<String> PUBLIC = Set.of(LoginController.LOGIN, "/ui.css", "/favicon.ico", "/actuator/health");

    private final JsonMapper json;

    LoginFilter(JsonMapper json) {
        this.json = json;
    }

    static boolean loggedIn(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && Boolean.TRUE.equals(session.getAttribute(LOGGED_IN));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (loggedIn(request) || PUBLIC.contains(path(request))) {
            chain.doFilter(request, response);
            return;
        }
        boolean page = ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod()))
                && !"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
        if (page) {
            String target = path(request) + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
            response.sendRedirect(request.getContextPath() + LoginController.LOGIN + "?next="
                    + URLEncoder.encode(target, StandardCharsets.UTF_8));
            return;
        }
        Problems.write(json, request, response, HttpServletResponse.SC_UNAUTHORIZED, "Not logged in",
                "log in to web-ui first (" + LoginController.LOGIN + ")");
    }

    /** The path as the container decoded and normalised it, so encoded variants of a path match too. */
    private static String path(HttpServletRequest request) {
        return request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    }
}
