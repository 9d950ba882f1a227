package dev.pgcorral.ui;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of web-ui, {@code pgcorral.ui.*}: the services it shows, and who may see them.
 *
 * @param services     one entry per service; a new service is a template for its type and an entry here
 * @param password     the password that opens the dashboard; unset: the password of the first lock
 *                     service configured, or {@value #DEFAULT_PASSWORD}
 * @param allowedHosts host names web-ui answers to (the {@code Host} of a request), besides
 *                     {@code localhost}, {@code 127.0.0.1}, {@code [::1]} and this machine's host name;
 *                     others are refused, so a web page cannot reach web-ui by re-pointing its own name
 *                     at it (DNS rebinding). {@code *} answers any name (only behind a proxy that checks it)
 */
@Validated
@ConfigurationProperties("pgcorral.ui")
public record UiProperties(@DefaultValue @Valid List<Service> services,
                           String password,
                           @DefaultValue List<@Pattern(regexp = "\\*|[A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\]",
                                   message = "must be a host name, an IP address ([...] for IPv6) or *") String> allowedHosts) {

    /** The dashboard's password when neither it nor a lock service's password is set: pgflock's default. */
    public static final String DEFAULT_PASSWORD = "pgflock";

    /**
     * @param name     shown and used in paths, e.g. {@code lock}
     * @param type     which page shows it: {@code templates/services/<type>.html}, e.g. {@code lock}
     * @param url      the service's base URL, e.g. {@code http://localhost:9191}
     * @param password the service's password; used by web-ui for actions, never sent to a browser
     */
    public record Service(@NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,30}", message = "must be lower-case letters, digits, '-'") String name,
                          @DefaultValue("lock") @Pattern(regexp = "[a-z][a-z0-9-]{0,30}", message = "must be a page name such as 'lock'") String type,
                          @NotNull URI url,
                          String password) {

        /** Without the password, so a log line or an error message cannot show it. */
        @Override
        public String toString() {
            return "Service[name=" + name + ", type=" + type + ", url=" + url + ", password=" + (password == null ? "unset" : "***") + "]";
        }

        public URI webSocket() {
            return URI.create(url.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/ws");
        }
    }

    /** The password that opens the dashboard: its own, else the first lock service's, else the default. */
    public String loginPassword() {
        if (password != null && !password.isEmpty()) {
            return password;
        }
        return services.stream().filter(s -> "lock".equals(s.type()) && s.password() != null && !s.password().isEmpty())
                .map(Service::password).findFirst().orElse(DEFAULT_PASSWORD);
    }

    /** Without the password, so a log line or an error message cannot show it. */
    @Override
    public String toString() {
        return "UiProperties[services=" + services + ", password=" + (password == null ? "unset" : "***")
                + ", allowedHosts=" + allowedHosts + "]";
    }

    public Service service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
