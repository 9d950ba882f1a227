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
 * Configuration of web-ui, {@code pgcorral.ui.*}: the services it shows.
 *
 * @param services one entry per service; a new service is a template for its type and an entry here
 */
@Validated
@ConfigurationProperties("pgcorral.ui")
public record UiProperties(@DefaultValue @Valid List<Service> services) {

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

        public URI webSocket() {
            return URI.create(url.toString().replaceFirst("^http", "ws").replaceAll("/+$", "") + "/ws");
        }
    }

    public Service service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }
}
