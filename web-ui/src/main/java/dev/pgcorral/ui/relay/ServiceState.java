package dev.pgcorral.ui.relay;

/** How web-ui sees a service. */
public enum ServiceState {
    /** Subscribed to its status. */
    UP,
    /** The connection was lost a moment ago; reconnecting. */
    RECONNECTING,
    /** Not reachable for a while; still retrying. */
    DOWN
}
