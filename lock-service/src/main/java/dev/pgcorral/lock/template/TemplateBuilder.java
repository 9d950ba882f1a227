package dev.pgcorral.lock.template;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.pg.Databases;
import dev.pgcorral.common.pg.Identifiers;
import dev.pgcorral.lock.runtime.PostgresInstance;

/**
 * Builds {@code test_template} in an instance: extensions, then the user's Flyway migrations, then the
 * init SQL. The template's hash is kept as the database's comment: a template whose comment already
 * holds the wanted hash (a kept data directory) is not rebuilt. The finished template accepts no
 * connections, so nothing can block {@code CREATE DATABASE ... TEMPLATE}.
 */
public final class TemplateBuilder {

    public static final String TEMPLATE = "test_template";
    static final String STAGING = "test_template_next";
    private static final String HASH_PREFIX = "pgcorral template ";
    private static final Logger log = LoggerFactory.getLogger(TemplateBuilder.class);

    private final TemplateSpec spec;

    public TemplateBuilder(TemplateSpec spec) {
        this.spec = spec;
    }

    /**
     * Ensures the instance's template matches {@code hash}; returns true when it was (re)built. The new
     * template is built under another name and swapped in only when complete, so a failing migration
     * leaves the previous template in place.
     */
    public boolean ensure(PostgresInstance instance, Connection admin, String hash) throws SQLException {
        if (hash.equals(currentHash(admin))) {
            return false;
        }
        long started = System.nanoTime();
        int major = instance.majorVersion();
        try (Statement st = admin.createStatement()) {
            Databases.dropForcibly(st, STAGING, major);
            st.execute("CREATE DATABASE " + Identifiers.quote(STAGING) + " TEMPLATE template0");
        }
        try {
            populate(instance);
        } catch (SQLException | RuntimeException e) {
            try (Statement st = admin.createStatement()) {
                Databases.dropForcibly(st, STAGING, major);
            }
            throw e;
        }
        String template = Identifiers.quote(TEMPLATE);
        try (Statement st = admin.createStatement()) {
            if (exists(admin)) {
                st.execute("ALTER DATABASE " + template + " WITH IS_TEMPLATE false");
                Databases.dropForcibly(st, TEMPLATE, major);
            }
            st.execute("ALTER DATABASE " + Identifiers.quote(STAGING) + " RENAME TO " + template);
            st.execute("COMMENT ON DATABASE " + template + " IS " + Identifiers.literal(HASH_PREFIX + hash));
            st.execute("ALTER DATABASE " + template + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        }
        log.info("built {} with hash {} in instance {} (port {}) in {} ms", TEMPLATE, hash, instance.index(),
                instance.port(), (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    private void populate(PostgresInstance instance) throws SQLException {
        try (Connection conn = instance.connect(STAGING); Statement st = conn.createStatement()) {
            for (String extension : spec.extensions()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS " + Identifiers.quote(extension) + " CASCADE");
            }
        }
        if (!spec.migrationLocations().isEmpty()) {
            ConnectionDetails details = instance.adminDetails(STAGING);
            try {
                Flyway.configure()
                        .dataSource(details.jdbcUrl(), details.user(), details.password())
                        .locations(spec.migrationLocations().toArray(String[]::new))
                        .failOnMissingLocations(true)
                        .load()
                        .migrate();
            } catch (RuntimeException e) {
                throw new SQLException("Flyway migrations failed: " + rootMessage(e), e);
            }
        }
        String initSql = spec.initSqlText();
        if (initSql != null) {
            try (Connection conn = instance.connect(STAGING); Statement st = conn.createStatement()) {
                st.execute(initSql);
            } catch (SQLException e) {
                throw new SQLException("init SQL " + spec.initSql() + " failed: " + e.getMessage(), e);
            }
        }
    }

    private static String currentHash(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
            ps.setString(1, TEMPLATE);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null || !rs.getString(1).startsWith(HASH_PREFIX)) {
                    return null;
                }
                return rs.getString(1).substring(HASH_PREFIX.length());
            }
        }
    }

    private static boolean exists(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, TEMPLATE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
