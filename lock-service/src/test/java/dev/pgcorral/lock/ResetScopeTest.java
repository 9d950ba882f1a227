package dev.pgcorral.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;

/**
 * What a reset restores, as the README says: the database is dropped and re-created from the
 * template, so everything inside it is as the template has it; objects of the whole server that a
 * holder created (here a role) are not undone, and are visible to the next holder on that server.
 */
class ResetScopeTest extends PoolTestBase {

    private static final String ROLE = "pgcorral_reset_scope_probe";

    @Test
    void theNextHolderGetsTheTemplatesDatabaseButTheServersRolesStay() throws Exception {
        List<JsonNode> leases = new ArrayList<>();
        for (int i = 0; i < TOTAL; i++) {
            var taken = client.apiPost("/api/v1/leases", "{\"marker\":\"reset-scope-" + i + "\"}");
            assertThat(taken.status()).isEqualTo(201);
            leases.add(taken.json());
        }
        JsonNode first = leases.get(0);
        JsonNode otherServer = leases.stream().filter(l -> l.get("port").asInt() != first.get("port").asInt()).findFirst().orElseThrow();
        try {
            try (Connection db = connect(first.get("postgresUrl").asString()); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE left_behind (id int)");
                st.execute("INSERT INTO account (email) VALUES ('added@example.com')");
                st.execute("CREATE ROLE " + ROLE);
            }
            assertThat(client.apiDelete("/api/v1/leases/" + first.get("id").asString()).status()).isEqualTo(204);

            // Every other database is held: the only one to come free is the one just released, once reset.
            var again = client.apiPost("/api/v1/leases", "{\"marker\":\"reset-scope-again\",\"waitSeconds\":60}");
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            JsonNode second = again.json();
            assertThat(second.get("port").asInt()).isEqualTo(first.get("port").asInt());
            assertThat(second.get("database").asString()).isEqualTo(first.get("database").asString());

            try (Connection db = connect(second.get("postgresUrl").asString()); Statement st = db.createStatement()) {
                assertThat(single(st, "SELECT to_regclass('left_behind') IS NULL")).as("the table the holder created is gone").isEqualTo("t");
                assertThat(single(st, "SELECT string_agg(email, ',') FROM account")).as("the template's rows, only")
                        .isEqualTo("seed@example.com");
                assertThat(single(st, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                        .as("a role belongs to the server, not the database: a reset does not remove it").isEqualTo("1");
            }
            try (Connection db = connect(otherServer.get("postgresUrl").asString()); Statement st = db.createStatement()) {
                assertThat(single(st, "SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'"))
                        .as("the other server of the pool never saw it").isEqualTo("0");
            }
        } finally {
            try (Connection db = ConnectionDetails.parse(first.get("postgresUrl").asString()).withDatabase("postgres").connect();
                 Statement st = db.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + ROLE);
            }
        }
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
