package dev.pgcorral.ui.access;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.pgcorral.ui.UiProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers only requests addressed to a known host name ({@link UiProperties#allowedHosts()}, the
 * loopback names and this machine's name). A hostile page whose own name is made to resolve to
 * web-ui's address (DNS rebinding) sends its own name as {@code Host}, and gets 421 instead of the
 * dashboard.
 */
class AllowedHostsFilter extends OncePerRequestFilter {

    static final int MISDIRECTED_REQUEST = 421;
    private static final Logger log = LoggerFactory.getLogger(AllowedHostsFilter.class);

    private final Set<String> allowed = new HashSet<>();
    private final boolean any;
    private final JsonMapper json;

    AllowedHostsFilter(UiProperties properties, JsonMapper json) {
        this.json = json;
        this.any = properties.allowedHosts().contains("*");
        for (String name : Set.of("localhost", "127.0.0.1", "::1")) {
            allowed.add(name);
        }
        try {
            allowed.add(normalise(InetAddress.getLocalHost().getHostName()));
        } catch (UnknownHostException e) {
            log.debug("this machine's host name does not resolve, not answering to it: {}", e.toString());
        }
        properties.allowedHosts().forEach(h -> allowed.add(normalise(h)));
    }

    Set<String> allowed() {
        return Set.copyOf(allowed);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (any || allowed.contains(normalise(request.getServerName()))) {
            chain.doFilter(request, response);
            return;
        }
        Problems.write(json, request, response, MISDIRECTED_REQUEST, "Unknown host name",
                "web-ui does not answer to this host name; add it to pgcorral.ui.allowed-hosts if it is web-ui's");
    }

    /** Lower case, without the brackets of an IPv6 address or a trailing dot. */
    static String normalise(String host) {
        String h = host == null ? "" : host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
