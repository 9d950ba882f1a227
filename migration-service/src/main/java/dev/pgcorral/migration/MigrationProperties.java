package dev.pgcorral.migration;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * Configuration of migration-service, {@code pgcorral.migration.*}. With nothing set it keeps its state in
 * a local PostgreSQL it starts itself, which also holds embedded destinations.
 *
 * @param password           the API password ({@code Authorization: Bearer}); also {@code PGCORRAL_PASSWORD}
 * @param openOnLoopback     whether callers without the password are served while the service listens on a
 *                           loopback address only ({@code server.address}), as pgmanager's clients send none; when
 *                           it listens on any other address every {@code /api/} call needs the password
 * @param secretKey          the key that encrypts cluster passwords at rest (any text, hashed to 256 bits); also
 *                           {@code PGCORRAL_MIGRATION_KEY}; empty uses {@code keyFile}
 * @param keyFile            where a key is generated at first start when {@code secretKey} is empty, readable by
 *                           the service's account only
 * @param embedded           the local PostgreSQL for the state and embedded destinations
 * @param copy               how a clone copies: workers, ranges
 * @param switchover         how a switchover waits
 */
@Validated
@ConfigurationProperties("pgcorral.migration")
public record MigrationProperties(
        @DefaultValue("migration") @NotBlank String password,
        @DefaultValue("true") boolean openOnLoopback,
        String secretKey,
        @DefaultValue("/var/tmp/pgcorral/migration.key") @NotNull Path keyFile,
        @DefaultValue @Valid Embedded embedded,
        @DefaultValue @Valid Copy copy,
        @DefaultValue @Valid Switchover switchover) {

    public static final String DEFAULT_EMBEDDED_PASSWORD = "migration";

    /**
     * @param binDir   PostgreSQL bin directory; empty searches pg_config, PATH, /usr/lib/postgresql, bundled
     * @param dataDir  where its data lives, kept across restarts
     * @param port     its port; 0 picks a free one at every start
     * @param host     the address it listens on and advertises
     * @param user     its superuser
     * @param password that user's password (the default is printed at start; a configured one never is)
     * @param runAs    account for the server when the JVM is root; empty picks postgres, else nobody
     */
    public record Embedded(Path binDir,
                           @DefaultValue("/var/tmp/pgcorral/migration") @NotNull Path dataDir,
                           @DefaultValue("7655") @Min(0) @Max(65535) int port,
                           @DefaultValue("127.0.0.1") @NotBlank String host,
                           @DefaultValue("migration") @NotBlank String user,
                           @DefaultValue(DEFAULT_EMBEDDED_PASSWORD) @NotBlank String password,
                           String runAs) {
    }

    /**
     * @param workers         parallel COPY workers when a migration asks for none ({@code copy_workers} ≤ 0)
     * @param splitAbove      a table larger than this ({@code pg_table_size}) is copied in ranges of its pages by
     *                        several workers
     * @param keepSnapshot    how long the source's snapshot of a clone is held open after its run: after a failure or a
     *                        stop while copying, starting the migration again resumes on it, table part by table part;
     *                        after a completed clone, a compare reads the source through it (a held snapshot keeps the
     *                        source's vacuum from removing rows deleted since); 0: never
     */
    public record Copy(@DefaultValue("4") @Min(1) @Max(64) int workers,
                        @DefaultValue("256MB") @DataSizeUnit(DataUnit.MEGABYTES) @NotNull DataSize splitAbove,
                        @DefaultValue("10m") @NotNull Duration keepSnapshot) {
    }

    /**
     * @param maxLag  the switchover stops the source's writes only once the follow is this close (lag in bytes): what is
     *                left to apply then is most of the write downtime
     * @param catchUp how long it waits for that before it gives up (writes untouched)
     * @param timeout how long writes may be stopped: from then until the destination committed past the sentinel
     *                and its sequences are set; past it the source gets its writes back and the follow goes on
     * @param endSessions end the source database's sessions that began before its writes stopped (they could still
     *                write); false: wait, within {@code timeout}, for them to end by themselves
     */
    public record Switchover(@DefaultValue("1MB") @NotNull DataSize maxLag,
                             @DefaultValue("5m") @NotNull Duration catchUp,
                             @DefaultValue("30s") @NotNull Duration timeout,
                             @DefaultValue("true") boolean endSessions) {
    }
}
