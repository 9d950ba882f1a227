package dev.pgcorral.replay.servers;

import dev.pgcorral.common.pg.ConnectionDetails;

/**
 * The configured (or embedded) source and target: what a session uses when it is not given its own.
 * {@link ConnectionDetails#toString()} is redacted, and so is this record's.
 *
 * @param source the server and default database captured
 * @param target the server and default database time travel moves; copies live on this server too
 */
public record Endpoints(ConnectionDetails source, ConnectionDetails target) {
}
