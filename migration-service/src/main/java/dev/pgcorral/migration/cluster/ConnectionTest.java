package dev.pgcorral.migration.cluster;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The outcome of a connection test (pgmanager's test-connection reply, snake_case, empty fields left out as
 * pgmanager does), plus our {@code migration_readiness} and {@code destination_readiness}, present whenever the server was
 * reached.
 *
 * @param version            the full {@code version()} text
 * @param privileges         {@code connect} (always true), {@code createdb}, {@code replication}, {@code superuser}; a key whose
 *                           query failed is left out; empty when not reached
 * @param latencyNs          how long connecting took (or failing to), in nanoseconds
 * @param error              {@code connect: ...} when the server could not be reached; never holds the password
 * @param migrationReadiness whether the server can be a migration's source; null when not reached
 * @param destinationReadiness whether the database can be a migration's destination for this user; null when not reached
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"reachable", "version", "is_replica", "privileges", "latency_ns", "error", "migration_readiness", "destination_readiness"})
public record ConnectionTest(boolean reachable,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) String version,
                             boolean isReplica,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Boolean> privileges,
                             long latencyNs,
                             @JsonInclude(JsonInclude.Include.NON_EMPTY) String error,
                             @JsonInclude(JsonInclude.Include.NON_NULL) MigrationReadiness migrationReadiness,
                             @JsonInclude(JsonInclude.Include.NON_NULL) MigrationReadiness destinationReadiness) {

    static ConnectionTest unreachable(long latencyNs, String error) {
        return new ConnectionTest(false, null, false, Map.of(), latencyNs, error, null, null);
    }
}
