package dev.pgcorral.common.status;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the live status endpoint {@code /ws}, {@code pgcorral.status.*}.
 *
 * @param allowedOrigins origins a browser page may open {@code /ws} from, besides the service's own
 *                       (same origin, always allowed), e.g. {@code https://dashboard.example.com} or
 *                       {@code https://*.example.com}; empty (the default) allows the same origin only.
 *                       Clients that send no {@code Origin} (web-ui's relay, scripts) are not affected.
 */
@ConfigurationProperties("pgcorral.status")
public record StatusProperties(@DefaultValue List<String> allowedOrigins) {
}
