package dev.pgcorral.migration;

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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.state.EmbeddedServer;

/**
 * migration-service on a random port (on loopback) with its embedded PostgreSQL in a fresh folder per test
 * class; the same server holds the test's source and destination databases ({@link #database}); helpers to
 * run SQL.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "pgcorral.migration.embedded.port=0",
        "pgcorral.migration.password=" + MigrationTestBase.PASSWORD,
        "logging.level.dev.pgcorral=info"})
public abstract class MigrationTestBase {

    protected static final String PASSWORD = "test-password";

    @LocalServerPort
    protected int port;

    @Autowired
    protected EmbeddedServer embedded;

    @DynamicPropertySource
    static void folders(DynamicPropertyRegistry registry) {
        try {
            Path dir = Files.createTempDirectory("pgcorral-migration-test");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(dir.toFile())));
            registry.add("pgcorral.migration.embedded.data-dir", () -> dir.resolve("pgdata").toString());
            registry.add("pgcorral.migration.key-file", () -> dir.resolve("secret.key").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A database on the embedded server (created when missing), as its superuser. */
    protected ConnectionDetails database(String name) {
        return embedded.database(name);
    }

    /**
     * A database on the embedded server owned by a new role {@code role} (password {@code role + "-pw"}) that may log in
     * and replicate but is no superuser, and may create tables in {@code public}; returns that role's connection to it.
     */
    protected ConnectionDetails ownedByPlainRole(String name, String role) {
        ConnectionDetails admin = database(name);
        sql(admin, "CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + role + "-pw'", "ALTER DATABASE " + name + " OWNER TO " + role,
                "GRANT CREATE ON SCHEMA public TO " + role);
        return new ConnectionDetails(admin.host(), admin.port(), admin.database(), role, role + "-pw");
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
