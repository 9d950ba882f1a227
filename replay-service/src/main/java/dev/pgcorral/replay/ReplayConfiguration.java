package dev.pgcorral.replay;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.common.local.PostgresBinaries;
import dev.pgcorral.common.pg.Lsn;
import dev.pgcorral.common.status.StatusBroadcaster;
import dev.pgcorral.replay.status.ReplayMetrics;
import dev.pgcorral.replay.status.ReplayStatus;
import dev.pgcorral.common.web.BearerAuthFilter;
import dev.pgcorral.replay.backup.Backups;
import dev.pgcorral.replay.capture.Capture;
import dev.pgcorral.replay.capture.CaptureEvents;
import dev.pgcorral.replay.capture.ChangeLog;
import dev.pgcorral.replay.checkpoint.CheckpointStore;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.servers.Endpoints;
import dev.pgcorral.common.local.PgTools;
import dev.pgcorral.replay.session.SessionStore;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.RestoreStore;
import dev.pgcorral.replay.travel.Restorer;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires sessions, capture, checkpoints and time travel; starts capture once the metadata schema is migrated. */
@Configuration(proxyBeanMethods = false)
class ReplayConfiguration {

    @Bean
    JdbcClient jdbcClient(DataSource dataSource) {
        return JdbcClient.create(dataSource);
    }

    @Bean
    SessionStore sessionStore(JdbcClient jdbc) {
        return new SessionStore(jdbc);
    }

    @Bean
    ChangeLog changeLog(DataSource dataSource) {
        return new ChangeLog(dataSource);
    }

    @Bean(destroyMethod = "close")
    Capture capture(DataSource dataSource, SessionStore sessions, ReplayProperties properties, MeterRegistry registry) {
        return new Capture(dataSource, sessions, properties.capture(), registry);
    }

    @Bean
    Checkpoints checkpoints(JdbcClient jdbc) {
        return new Checkpoints(new CheckpointStore(jdbc));
    }

    @Bean(destroyMethod = "close")
    Restorer restorer(SessionStore sessions, Checkpoints checkpoints, JdbcClient jdbc, ChangeLog log, ReplayProperties properties) {
        return new Restorer(sessions, checkpoints.store(), new RestoreStore(jdbc), log, properties.travel().applyBatchEntries(),
                properties.travel().keepCheckpointCopies());
    }

    @Bean
    Backups backups(JdbcClient jdbc, PgTools tools, SessionStore sessions, Restorer restorer, ReplayProperties properties) {
        return new Backups(jdbc, tools, sessions, restorer, properties.backupDir());
    }

    @Bean
    PgTools pgTools(PostgresBinaries binaries) {
        return new PgTools(binaries);
    }

    @Bean
    ReplayStatus statusSource(SessionStore sessions, Checkpoints checkpoints, Capture capture, Restorer restorer) {
        return new ReplayStatus(sessions, checkpoints.store(), capture, restorer);
    }

    @Bean
    ReplayMetrics replayMetrics(ReplayStatus status) {
        return new ReplayMetrics(status);
    }

    @Bean
    Sessions sessions(SessionStore store, Endpoints endpoints, Capture capture, Checkpoints checkpoints, Restorer restorer,
                      PgTools tools, ReplayProperties properties) {
        return new Sessions(store, endpoints, capture, checkpoints, restorer, tools, properties.migrations());
    }

    /** After the metadata schema is migrated (Flyway runs before runners): resume every session's capture. */
    @Bean
    ApplicationRunner resumeCapture(Capture capture, Checkpoints checkpoints, Restorer restorer, StatusBroadcaster broadcaster) {
        return args -> {
            capture.addListener(checkpoints);
            capture.addListener(restorer);
            capture.addListener(new CaptureEvents() {
                @Override
                public void stored(UUID session, long entries, int transactions, Lsn commitLsn, Instant commitTime, List<UUID> captured) {
                    broadcaster.changed();
                }
            });
            restorer.store().failInterrupted();
            capture.startAll();
            restorer.buildMissingCopies();
        };
    }

    @Bean
    FilterRegistrationBean<BearerAuthFilter> apiAuthentication(ReplayProperties properties) {
        FilterRegistrationBean<BearerAuthFilter> registration = new FilterRegistrationBean<>(new BearerAuthFilter(properties.password()));
        registration.addUrlPatterns("/api/v1/*");
        return registration;
    }

    @Bean
    FilterRegistrationBean<BearerAuthFilter> compatAuthentication(ReplayProperties properties) {
        FilterRegistrationBean<BearerAuthFilter> registration = new FilterRegistrationBean<>(new BearerAuthFilter(properties.password()));
        registration.addUrlPatterns("/api/sessions", "/api/sessions/*", "/api/checkpoints", "/api/checkpoints/*", "/api/navigate",
                "/api/replay", "/api/config", "/api/wal-logs");
        registration.setEnabled(properties.compatRequiresPassword());
        return registration;
    }
}
