package dev.pgcorral.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.pgcorral.common.local.LocalPostgres;

/**
 * Configuration of lock-service, {@code pgcorral.lock.*}. Defaults follow pgflock's so its users
 * change nothing.
 *
 * @param port                 the pgflock-compatible port, which also serves /api/v1, /actuator and /ws; 0 picks a free one
 * @param bindAddress          address that port listens on; empty listens on all
 * @param instances            PostgreSQL servers in the pool
 * @param databasesPerInstance databases per server, named {@code <databasePrefix><i>}, i = 1..n
 * @param startingPort         port of the first server, the next ones follow; 0 picks free ports
 * @param password             API password, and the password of the database user
 * @param autoUnlockMinutes    a lease ends by itself after this long unless extended
 * @param lockWaitTimeout      how long a pgflock /lock without wait_seconds waits for a free database; 0 waits forever
 * @param resetStrategy        how {@code CREATE DATABASE} copies the template (PostgreSQL 15+)
 * @param resetParallelism     resets run at once per instance; 0 = the number of cores, at most 4
 * @param front                limits of the public port
 */
@Validated
@ConfigurationProperties("pgcorral.lock")
public record LockProperties(
        @DefaultValue("9191") @Min(0) @Max(65535) int port,
        String bindAddress,
        @DefaultValue("1") @Min(1) @Max(64) int instances,
        @DefaultValue("10") @Min(1) @Max(1000) int databasesPerInstance,
        @DefaultValue("0") @Min(0) @Max(65535) int startingPort,
        @DefaultValue("tester") @NotBlank @Pattern(regexp = "[a-z_][a-z0-9_]{0,50}",
                message = "must be a lower-case SQL name of at most 51 characters") String databasePrefix,
        @DefaultValue("tester") @NotBlank String user,
        @DefaultValue("pgflock") @NotBlank String password,
        @DefaultValue("5") @Min(1) int autoUnlockMinutes,
        @DefaultValue("0s") @NotNull Duration lockWaitTimeout,
        @DefaultValue("FILE_COPY") @NotNull ResetStrategy resetStrategy,
        @DefaultValue("0") @Min(0) @Max(32) int resetParallelism,
        @DefaultValue @Valid Template template,
        @DefaultValue @Valid Runtime runtime,
        @DefaultValue @Valid Front front) {

    public enum ResetStrategy { FILE_COPY, WAL_LOG }

    /**
     * What every handed-out database starts with.
     *
     * @param extensions         created first, e.g. {@code pg_trgm}
     * @param migrations         Flyway locations, e.g. {@code filesystem:./src/main/resources/db/migration}
     * @param initSql            an SQL file run after the migrations, optional
     * @param watchInterval      how often the migrations are re-hashed; a changed hash rebuilds the template; 0 = never
     */
    public record Template(@DefaultValue List<String> extensions, @DefaultValue List<String> migrations, Path initSql,
                           @DefaultValue("2s") Duration watchInterval) {
    }

    /**
     * @param type     {@code local}: PostgreSQL processes on this machine; {@code docker}: one container per instance
     * @param settings extra server settings for every instance, e.g. {@code shared_buffers: 256MB}
     * @param local    settings of the local runtime
     * @param docker   settings of the docker runtime
     */
    public record Runtime(@DefaultValue("local") @Pattern(regexp = "local|docker", message = "must be 'local' or 'docker'") String type,
                          @DefaultValue Map<String, String> settings,
                          @DefaultValue @Valid Local local,
                          @DefaultValue @Valid Docker docker) {

        /** The throwaway defaults ({@code fsync=off}, ...) with the configured settings over them. */
        public Map<String, String> serverSettings() {
            Map<String, String> merged = new java.util.LinkedHashMap<>(LocalPostgres.THROWAWAY_SETTINGS);
            merged.putAll(settings);
            return merged;
        }
    }

    /**
     * @param binDir         PostgreSQL bin directory; empty searches pg_config, PATH, /usr/lib/postgresql, bundled
     * @param dataDir        keep data here across runs; empty uses a throwaway folder on tmpfs (/dev/shm)
     * @param runAs          account for the server when the JVM is root; empty picks postgres, else nobody
     * @param listenHost     address the servers listen on
     * @param advertisedHost host name put in handed-out connection details; empty uses listenHost
     */
    public record Local(Path binDir, Path dataDir, String runAs, @DefaultValue("127.0.0.1") String listenHost,
                        String advertisedHost) {
    }

    /**
     * @param image           the PostgreSQL image; empty uses the official {@code postgres:<postgresVersion>}
     * @param postgresVersion major version of the official image
     * @param poolName        labels this pool's containers, so leftovers of an earlier run are recognised
     * @param adopt           reuse running containers of an earlier run instead of removing them
     * @param keepContainers  leave the containers running at shutdown
     * @param tmpfsSize       size of the tmpfs holding each data directory
     * @param shmSize         shared memory of each container
     * @param cpus            CPU limit per container, e.g. 1.5; 0 = none
     * @param memory          memory limit per container, e.g. 1GB; empty = none
     * @param hostNetwork     run containers on the host's network (ports from starting-port) instead of publishing ports
     * @param network         a Docker network to attach the containers to (as docker compose deploys it); empty = the default bridge
     * @param publishHost     host address published ports bind to
     * @param advertisedHost  host name put in handed-out connection details
     * @param checkInterval   how often the containers are looked at, so a death is noticed even when the
     *                        engine's events are missed (e.g. while dockerd restarts); 0 = events only
     */
    public record Docker(String image, @DefaultValue("17") @Min(9) int postgresVersion,
                         @DefaultValue("pgcorral") @Pattern(regexp = "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}",
                                 message = "must be letters, digits, '_', '.', '-'") String poolName,
                         @DefaultValue("false") boolean adopt,
                         @DefaultValue("false") boolean keepContainers,
                         @DefaultValue("1GB") DataSize tmpfsSize,
                         @DefaultValue("256MB") DataSize shmSize,
                         @DefaultValue("0") @Min(0) double cpus,
                         DataSize memory,
                         @DefaultValue("false") boolean hostNetwork,
                         String network,
                         @DefaultValue("0.0.0.0") String publishHost,
                         @DefaultValue("localhost") String advertisedHost,
                         @DefaultValue("2s") @NotNull Duration checkInterval) {

        public String effectiveImage() {
            return image == null || image.isBlank() ? "postgres:" + postgresVersion : image;
        }
    }

    /**
     * @param headTimeout        a connection that has not sent a complete request head by then is dropped (408),
     *                           however slowly it trickles bytes
     * @param maxUnauthenticated connections still sending their request head, so not yet authenticated, at most;
     *                           held locks and requests under way do not count. Beyond it new connections wait to
     *                           be accepted, and one that has sent no complete head for a second gives its place
     *                           to a new one
     * @param maxWebSockets      live status streams ({@code /ws}) open at once, at most; one more is refused (503).
     *                           Each may hold several status snapshots in memory while its client reads slowly
     */
    public record Front(@DefaultValue("10s") @NotNull @DurationMin(millis = 100) Duration headTimeout,
                        @DefaultValue("512") @Min(1) int maxUnauthenticated,
                        @DefaultValue("64") @Min(1) int maxWebSockets) {
    }

    public Duration autoUnlock() {
        return Duration.ofMinutes(autoUnlockMinutes);
    }

    public int effectiveResetParallelism() {
        return resetParallelism > 0 ? resetParallelism : Math.min(4, java.lang.Runtime.getRuntime().availableProcessors());
    }
}
