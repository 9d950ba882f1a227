package dev.pgcorral.ui.relay;

import java.time.Instant;

/**
 * What every page sees of a service on web-ui's {@code /topic/status}: its state, not its status. The
 * service's own status snapshot, which can be large, goes only to the pages that show it, on
 * {@link ServiceRelay#topic(String)}.
 */
public record ServiceView(String name, String type, String url, ServiceState state, Instant since) {
}
