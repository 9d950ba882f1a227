package dev.pgcorral.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.util.FileSystemUtils;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.replay.checkpoint.Checkpoints;
import dev.pgcorral.replay.servers.Endpoints;
import dev.pgcorral.replay.session.Sessions;
import dev.pgcorral.replay.travel.Restorer;

/**
 * replay-service on a random port with its embedded PostgreSQL (source, target and metadata) in a fresh
 * folder per test class (the context is not shared: each class starts from an empty source); helpers to
 * run SQL on the source and the target.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.replay.embedded.port=0",
        "pgcorral.replay.password=test-password",
        "pgcorral.replay.capture.flush-interval=20ms",
        "logging.level.dev.pgcorral=info"})
public abstract class ReplayTestBase {

    protected static final String PASSWORD = "test-password";

    @LocalServerPort
    protected int port;

    @Autowired
    protected Endpoints endpoints;
    @Autowired
    protected Sessions sessions;
    @Autowired
    protected Checkpoints checkpoints;
    @Autowired
    protected Restorer restorer;

    @DynamicPropertySource
    static void dataDirectory(DynamicPropertyRegistry registry) {
        try {
            Path dir = Files.createTempDirectory("replay-test");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            // the embedded data is kept across restarts, as in production; each class's context is closed after it
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(dir.toFile())));
            registry.add("pgcorral.replay.embedded.data-dir", () -> dir.resolve("pgdata").toString());
            registry.add("pgcorral.replay.backup-dir", () -> dir.resolve("backups").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected ConnectionDetails source() {
        return endpoints.source();
    }

    protected ConnectionDetails target() {
        return endpoints.target();
    }

    protected static void sql(ConnectionDetails db, String... statements) {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The rows of a query as text, one string per row (columns joined by '|'), in the query's order. */
    protected static List<String> rows(ConnectionDetails db, String query) {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return rows;
    }

    protected static long count(ConnectionDetails db, String query) {
        return Long.parseLong(rows(db, query).get(0));
    }
}
