package dev.pgcorral.lock;

import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Gives the meters that Spring Boot and Tomcat register without a description one, so every series on
 * {@code /actuator/prometheus} has a {@code # HELP} text. A meter that has a description keeps it.
 */
final class MeterDescriptions implements MeterFilter {

    private static final Map<String, String> KNOWN = Map.ofEntries(
            Map.entry("http.server.requests", "HTTP requests served, by method, URI template, status and outcome"),
            Map.entry("http.server.requests.active", "HTTP requests being served now"),
            Map.entry("tomcat.sessions.active.current", "HTTP sessions active now"),
            Map.entry("tomcat.sessions.active.max", "most HTTP sessions active at once"),
            Map.entry("tomcat.sessions.alive.max", "longest time an expired HTTP session had been alive"),
            Map.entry("tomcat.sessions.created", "HTTP sessions created"),
            Map.entry("tomcat.sessions.expired", "HTTP sessions expired"),
            Map.entry("tomcat.sessions.rejected", "HTTP sessions rejected because the maximum was reached"));

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
            return id;
        }
        String description = KNOWN.getOrDefault(id.getName(), id.getName().replace('.', ' '));
        return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(),
                description, id.getType());
    }
}
