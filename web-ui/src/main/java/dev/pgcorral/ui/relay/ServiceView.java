package dev.pgcorral.ui.relay;

import java.time.Instant;

/** What a browser sees of a service: its state and its last status snapshot (null before the first). */
public record ServiceView(String name, String type, String url, ServiceState state, Instant since, Object status) {
}
