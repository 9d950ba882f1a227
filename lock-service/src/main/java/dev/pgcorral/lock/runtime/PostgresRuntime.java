package dev.pgcorral.lock.runtime;

import java.util.List;

/** Creates the pool's PostgreSQL servers. The local runtime is the default; others plug in here. */
public interface PostgresRuntime {

    /** {@code local}, ... as configured. */
    String type();

    /** The instances, not started yet. Called once. */
    List<PostgresInstance> create(int count);
}
