package dev.pgcorral.ui.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The login form, and logging in and out. A successful login starts a new session (an id planted
 * before logging in is worth nothing) and returns to the page asked for, if it is one of web-ui's.
 */
@Controller
class LoginController {

    static final String LOGIN = "/login";

    private final DashboardPassword password;
    private final LoginThrottle throttle;

    LoginController(DashboardPassword password, LoginThrottle throttle) {
        this.password = password;
        this.throttle = throttle;
    }

    @GetMapping(LOGIN)
    String form(@RequestParam(required = false) String next, Model model) {
        model.addAttribute("next", local(next));
        return "login";
    }

    @PostMapping(LOGIN)
    String login(@RequestParam(defaultValue = "") String password, @RequestParam(required = false) String next,
                 HttpServletRequest request, HttpServletResponse response, Model model) {
        String client = request.getRemoteAddr();
        java.time.Duration blocked = throttle.wait(client);
        if (!blocked.isZero()) {
            long wait = blocked.toSeconds() + 1;
            response.setStatus(429);
            response.setHeader("Retry-After", Long.toString(wait));
            model.addAttribute("next", local(next));
            model.addAttribute("throttled", wait);
            return "login";
        }
        if (!this.password.matches(password)) {
            throttle.failed(client);
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            model.addAttribute("next", local(next));
            model.addAttribute("failed", true);
            return "login";
        }
        throttle.succeeded(client);
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        request.getSession(true).setAttribute(LoginFilter.LOGGED_IN, Boolean.TRUE);
        return "redirect:" + local(next);
    }

    @PostMapping("/logout")
    String logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        return "redirect:" + LOGIN;
    }

    /** Only a path on web-ui itself ({@code /...}, not {@code //host/...}); anything else goes to the overview. */
    static String local(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || next.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "/";
        }
        return next;
    }
}
