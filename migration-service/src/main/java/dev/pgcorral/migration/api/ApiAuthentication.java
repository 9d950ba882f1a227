package dev.pgcorral.migration.api;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.pgcorral.migration.MigrationProperties;

/**
 * Who may call {@code /api/*} and open the live status, {@code /ws} ({@link ApiAuthenticationFilter}). {@code Authorization: Bearer <password>}
 * ({@code pgcorral.migration.password}, {@code PGCORRAL_PASSWORD}) is always accepted (compared in constant time;
 * a wrong one is 401). A request without an {@code Authorization} header is served only when both
 * <ul>
 *   <li>{@code pgcorral.migration.open-on-loopback} is true (the default, because pgmanager's clients send no
 *       password), and</li>
 *   <li>the service listens on a loopback address only: {@code server.address} is set and is one (application.yml
 *       sets {@code 127.0.0.1}; the compose deployment sets {@code 0.0.0.0}, which is not, so there every call needs
 *       the password);</li>
 * </ul>
 * and the request itself comes from this machine's own clients: its {@code Host} (and {@code Origin}, if sent)
 * names a loopback address, which refuses a web page that rebinds its name to 127.0.0.1 or posts from another
 * site. Anything else is 401 as a problem document. This is what keeps {@code test-connection} and
 * {@code introspect} from being a relay into the network for whoever can reach the port.
 */
@Configuration(proxyBeanMethods = false)
public class ApiAuthentication {

    private static final Logger log = LoggerFactory.getLogger(ApiAuthentication.class);

    @Bean
    FilterRegistrationBean<ApiAuthenticationFilter> apiAuthenticationFilter(MigrationProperties properties,
                                                                            @Value("${server.address:}") String address) {
        boolean open = properties.openOnLoopback() && loopbackOnly(address);
        if (open) {
            log.info("API calls without a password are served from this machine: the service listens on {} only and"
                    + " pgcorral.migration.open-on-loopback is true", address);
        } else {
            log.info("every API call needs Authorization: Bearer <pgcorral.migration.password> (server.address '{}', open-on-loopback {})",
                    address, properties.openOnLoopback());
        }
        FilterRegistrationBean<ApiAuthenticationFilter> registration =
                new FilterRegistrationBean<>(new ApiAuthenticationFilter(properties.password(), open));
        registration.addUrlPatterns("/api/*", "/ws", "/ws/*"); // the live status too: it names migrations and their errors
        return registration;
    }

    /** Whether {@code address} (server.address) is set and names a loopback address; empty means every interface. */
    static boolean loopbackOnly(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        try {
            return InetAddress.getByName(address.strip()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
