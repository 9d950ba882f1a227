package dev.pgcorral.common.status;

/** What a service shows live: a snapshot serialisable to JSON, taken on demand. */
@FunctionalInterface
public interface StatusSource {

    Object snapshot();
}
