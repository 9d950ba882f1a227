package dev.pgcorral.replay;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of replay-service, {@code pgcorral.replay.*}. With nothing set it starts its own
 * PostgreSQL holding the metadata, a source database to capture and a target database.
 *
 * @param password           the API password ({@code Authorization: Bearer}); also {@code PGCORRAL_PASSWORD}
 * @param compatRequiresPassword whether postgres-test-replay's endpoints ({@code /api/sessions}, ...) want the
 *                           password too; their clients send none, so by default they do not
 * @param source             the database to capture, a {@code postgresql://} URL (also {@code INPUT_DSN});
 *                           empty uses the embedded server's {@code source} database
 * @param target             the database time travel moves (also {@code OUTPUT_DSN}); empty uses the embedded
 *                           server's {@code target} database. Copies kept for checkpoints live on the same server
 * @param migrations         Flyway locations run on the source after a session's base copy, recorded as the
 *                           fixed checkpoint Migration, e.g. {@code filesystem:./db/migration}; empty = none
 * @param backupDir          where backups ({@code pg_dump} files of checkpoints) are written
 * @param embedded           the local PostgreSQL started when something above is not configured
 * @param capture            how captured changes are stored
 * @param travel             how the target is moved
 */
@Validated
@ConfigurationProperties("pgcorral.replay")
public record ReplayProperties(
        @DefaultValue("replay") @NotBlank String password,
        @DefaultValue("false") boolean compatRequiresPassword,
        String source,
        String target,
        @DefaultValue List<String> migrations,
        @DefaultValue("/var/tmp/pgcorral/replay-backups") @NotNull Path backupDir,
        @DefaultValue @Valid Embedded embedded,
        @DefaultValue @Valid Capture capture,
        @DefaultValue @Valid Travel travel) {

    /**
     * @param binDir   PostgreSQL bin directory; empty searches pg_config, PATH, /usr/lib/postgresql, bundled
     * @param dataDir  where its data lives, kept across restarts (sessions resume)
     * @param port     its port; 0 picks a free one at every start
     * @param host     the address it listens on and advertises
     * @param user     its superuser
     * @param password that user's password (the default is printed at start; a configured one never is)
     * @param runAs    account for the server when the JVM is root; empty picks postgres, else nobody
     */
    public record Embedded(Path binDir,
                           @DefaultValue("/var/tmp/pgcorral/replay") @NotNull Path dataDir,
                           @DefaultValue("9293") @Min(0) @Max(65535) int port,
                           @DefaultValue("127.0.0.1") @NotBlank String host,
                           @DefaultValue("replay") @NotBlank String user,
                           @DefaultValue(DEFAULT_EMBEDDED_PASSWORD) @NotBlank String password,
                           String runAs) {
    }

    public static final String DEFAULT_EMBEDDED_PASSWORD = "replay";

    /**
     * @param batchEntries  entries written to the change log in one go (and, for a huge transaction, held in
     *                      memory at most before they are written inside the still open metadata transaction)
     * @param flushInterval a batch that is not full is committed after this long
     * @param statusInterval how often the source is told what is stored
     */
    public record Capture(@DefaultValue("2000") @Min(1) @Max(100000) int batchEntries,
                          @DefaultValue("200ms") @NotNull @DurationMin(millis = 1) Duration flushInterval,
                          @DefaultValue("1s") @NotNull @DurationMin(millis = 100) Duration statusInterval) {
    }

    /**
     * @param keepCheckpointCopies build a template database on the target server for every checkpoint, so a
     *                             restore to it is one {@code CREATE DATABASE}; without them a restore applies
     *                             changes from the base copy
     * @param applyBatchEntries    entries applied per target transaction when a restore builds a new database
     */
    public record Travel(@DefaultValue("true") boolean keepCheckpointCopies,
                         @DefaultValue("5000") @Min(1) int applyBatchEntries) {
    }
}
