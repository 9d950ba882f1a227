package dev.pgcorral.migration.cluster;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * What a node's server holds (pgmanager's introspect reply, snake_case), plus our {@code migration_readiness}.
 *
 * @param uptime    as PostgreSQL prints an interval, e.g. {@code 3 days 04:05:06}
 * @param startedAt {@code YYYY-MM-DD HH:MM:SS TZ}
 * @param databases the databases that are not templates, largest first
 * @param parameters the settings whose source is none of {@code default}, {@code client} (as pgmanager) and {@code session}
 *                   (what this connection set itself), by name
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"version", "is_replica", "uptime", "started_at", "max_connections", "cluster_size", "cluster_bytes", "databases",
        "parameters", "migration_readiness"})
public record Introspection(String version, boolean isReplica, String uptime, String startedAt, int maxConnections, String clusterSize,
                            long clusterBytes, List<Database> databases, List<Parameter> parameters,
                            MigrationReadiness migrationReadiness) {

    /**
     * @param size    {@code pg_size_pretty} of {@code sizeBytes}; sizes of databases the user may not connect to are 0
     * @param schemas its schemas; left out for a database that could not be read (no CONNECT, or time ran out)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"name", "size", "size_bytes", "owner", "schemas"})
    public record Database(String name, String size, long sizeBytes, String owner,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Schema> schemas) {
    }

    /** @param tables by total size, largest first */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"name", "tables", "table_count", "total_size", "total_bytes"})
    public record Schema(String name, List<Table> tables, int tableCount, String totalSize, long totalBytes) {
    }

    /** @param rowCount the statistics' live row estimate */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"schema", "name", "row_count", "total_size", "total_bytes", "data_size", "data_bytes", "index_size", "index_bytes"})
    public record Table(String schema, String name, long rowCount, String totalSize, long totalBytes, String dataSize, long dataBytes,
                        String indexSize, long indexBytes) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder({"name", "setting", "unit", "source"})
    public record Parameter(String name, String setting, @JsonInclude(JsonInclude.Include.NON_EMPTY) String unit, String source) {
    }
}
