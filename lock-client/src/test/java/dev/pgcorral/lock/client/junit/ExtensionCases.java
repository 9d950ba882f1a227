package dev.pgcorral.lock.client.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcorral.lock.client.Lease;

/**
 * Test classes as a user writes them, run by {@link PgcorralExtensionTest} through JUnit's test kit (only then:
 * {@value #RUN} is set). Each test records the database it saw under its marker.
 */
final class ExtensionCases {

    static final String RUN = "pgcorral.extension-cases";
    /** Marker → database, of every test that ran. */
    static final Map<String, String> SEEN = new ConcurrentHashMap<>();

    private ExtensionCases() {
    }

    /** Creates a table (it fails if the database is not a clean copy), writes the test's own row, and sees only that one. */
    static void useAlone(Connection db, String marker) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute("CREATE TABLE seen (marker text)");
            st.execute("INSERT INTO seen VALUES ('" + marker.replace("'", "''") + "')");
            try (ResultSet rs = st.executeQuery("SELECT count(*), min(marker), current_database() FROM seen")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEqualTo(marker);
                SEEN.put(marker, rs.getString(3));
            }
        }
    }

    @PgcorralDatabase
    @EnabledIfSystemProperty(named = RUN, matches = "true")
    static class Orders {

        @Test
        void one(DataSource db, Lease lease) throws SQLException {
            try (Connection c = db.getConnection()) {
                useAlone(c, lease.marker());
            }
        }

        @Test
        void two(Connection db, Lease lease) throws SQLException {
            useAlone(db, lease.marker());
        }

        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3})
        void each(int n, Connection db, Lease lease) throws SQLException {
            useAlone(db, lease.marker());
        }
    }

    @PgcorralDatabase
    @EnabledIfSystemProperty(named = RUN, matches = "true")
    static class Customers {

        @PgcorralDatabase
        DataSource db;
        @PgcorralDatabase
        String url;
        @PgcorralDatabase
        Lease lease;

        @Test
        void three() throws SQLException {
            assertThat(url).isEqualTo(lease.jdbcUrl());
            try (Connection c = db.getConnection()) {
                useAlone(c, lease.marker());
            }
        }

        @Test
        void four() throws SQLException {
            try (Connection c = db.getConnection()) {
                useAlone(c, lease.marker());
            }
        }

        @Test
        void five(@PgcorralDatabase String jdbcUrl) throws SQLException {
            assertThat(jdbcUrl).isEqualTo(url);
            try (Connection c = db.getConnection()) {
                useAlone(c, lease.marker());
            }
        }
    }

    @PgcorralDatabase(scope = PgcorralDatabase.Scope.CLASS)
    @EnabledIfSystemProperty(named = RUN, matches = "true")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class Shared {

        @Test
        @Order(1)
        void first(Connection db, Lease lease) throws SQLException {
            useAlone(db, lease.marker());
        }

        @Test
        @Order(2)
        void second(Connection db, Lease lease) throws SQLException {
            try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT marker, current_database() FROM seen")) {
                assertThat(rs.next()).as("the row the first test wrote, in the class's one database").isTrue();
                assertThat(rs.getString(1)).isEqualTo(lease.marker());
                SEEN.put(lease.marker() + " (second)", rs.getString(2));
            }
        }
    }

    @PgcorralDatabase
    @EnabledIfSystemProperty(named = RUN, matches = "true")
    static class Lone {

        @Test
        void needsADatabase(DataSource db) {
            assertThat(db).isNotNull();
        }
    }
}
