package dev.pgcorral.migration.api;

import static dev.pgcorral.migration.api.ClusterApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.cluster.Clusters;
import dev.pgcorral.migration.cluster.HttpCalls;
import tools.jackson.databind.JsonNode;

/**
 * Connection tests (pgmanager's POST test-connection, ours by node id) and introspection against the embedded
 * PostgreSQL (wal_level logical) and a closed port, with {@code migration_readiness} for a superuser and for a role
 * without REPLICATION.
 */
class ClusterProbeApiTest extends MigrationTestBase {

    private static final List<String> CHECKS = List.of("version", "primary", "wal_level", "replication_slots", "wal_senders",
            "replication_privilege", "publication_privilege", "switchover", "replica_identity");
    /** A role's password with the characters that break unescaped URLs. */
    private static final String APP_PASSWORD = "p@ss:w/rd #1";

    @Autowired
    Clusters clusters;

    @Autowired
    JdbcClient state;

    private final HttpCalls api() {
        return new HttpCalls(port, null);
    }

    @AfterEach
    void removeClusters() {
        clusters.list().forEach(c -> clusters.delete(c.id()));
    }

    @Test
    void aReachableSuperuserIsReadyToBeASource() {
        ConnectionDetails server = database("postgres");
        var response = testConnection(server.postgresUrl());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode result = response.json();
        assertThat(result.get("reachable").asBoolean()).isTrue();
        assertThat(result.get("version").asString()).startsWith("PostgreSQL ");
        assertThat(result.get("is_replica").asBoolean()).isFalse();
        assertThat(result.get("privileges").toString())
                .isEqualTo("{\"connect\":true,\"createdb\":true,\"replication\":true,\"superuser\":true}");
        assertThat(result.get("latency_ns").asLong()).isPositive();
        assertThat(result.has("error")).isFalse();
        JsonNode readiness = result.get("migration_readiness");
        assertThat(readiness.get("ready").asBoolean()).as(readiness.toString()).isTrue();
        assertThat(readiness.get("checks").valueStream().map(c -> c.get("name").asString())).containsExactlyElementsOf(CHECKS);
        assertThat(check(readiness, "wal_level").get("detail").asString()).isEqualTo("wal_level is logical");
        assertThat(check(readiness, "version").get("detail").asString()).contains("pgcorral migrates from PostgreSQL 10 and later");
        assertThat(check(readiness, "replication_slots").get("detail").asString()).matches("\\d+ of \\d+ replication slots free.*");
        JsonNode destination = result.get("destination_readiness");
        assertThat(destination.get("ready").asBoolean()).as(destination.toString()).isTrue();
        assertThat(destination.get("checks").valueStream().map(c -> c.get("name").asString() + ":" + c.get("ok").asBoolean()))
                .containsExactly("create_privilege:true", "origin_functions:true", "replica_role:true", "temporary:true");
    }

    @Test
    void aRoleWithoutReplicationIsToldWhatToGrant() {
        ConnectionDetails admin = database("shop");
        sql(admin, "DROP ROLE IF EXISTS app", "CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'");
        ConnectionDetails app = new ConnectionDetails(admin.host(), admin.port(), "shop", "app", APP_PASSWORD);

        JsonNode url = testConnection(app.postgresUrl()).json();
        assertThat(url.get("reachable").asBoolean()).as(url.toString()).isTrue();
        assertThat(url.get("privileges").toString())
                .isEqualTo("{\"connect\":true,\"createdb\":false,\"replication\":false,\"superuser\":false}");
        JsonNode readiness = url.get("migration_readiness");
        assertThat(readiness.get("ready").asBoolean()).isFalse();
        assertThat(check(readiness, "replication_privilege").get("ok").asBoolean()).isFalse();
        assertThat(check(readiness, "replication_privilege").get("detail").asString())
                .isEqualTo("role app lacks the REPLICATION attribute that logical replication needs: run ALTER ROLE \"app\" REPLICATION as"
                        + " a superuser");
        assertThat(check(readiness, "publication_privilege").get("detail").asString())
                .contains("GRANT CREATE ON DATABASE \"shop\" TO \"app\"").contains("FOR ALL TABLES needs a superuser");
        assertThat(check(readiness, "wal_level").get("ok").asBoolean()).isTrue();

        // as a destination: it may not create schemas or call the origin functions, and says what to grant
        JsonNode destination = url.get("destination_readiness");
        assertThat(destination.get("ready").asBoolean()).isFalse();
        assertThat(check(destination, "create_privilege").get("detail").asString()).contains("GRANT CREATE ON DATABASE \"shop\" TO \"app\"");
        assertThat(check(destination, "origin_functions").get("detail").asString()).contains("pg_replication_origin_session_setup(text)");
        assertThat(check(destination, "replica_role").get("ok").asBoolean()).isFalse();

        // a table of another owner cannot go into its publication
        sql(admin, "CREATE TABLE IF NOT EXISTS not_apps (id int)");
        sql(admin, "ALTER ROLE app REPLICATION", "GRANT CREATE ON DATABASE shop TO app");
        JsonNode notOwner = testConnection(app.postgresUrl()).json().get("migration_readiness");
        assertThat(notOwner.get("ready").asBoolean()).isFalse();
        assertThat(check(notOwner, "publication_privilege").get("detail").asString()).contains("does not own table public.not_apps")
                .contains("ALTER TABLE … OWNER TO \"app\"");
        sql(admin, "ALTER TABLE not_apps OWNER TO app");
        String keyValue = "host=" + admin.host() + " port=" + admin.port() + " user=app dbname=shop password='"
                + APP_PASSWORD.replace("'", "\\'") + "'";
        JsonNode granted = testConnection(keyValue).json();
        assertThat(granted.get("reachable").asBoolean()).as(granted.toString()).isTrue();
        assertThat(granted.get("migration_readiness").get("ready").asBoolean()).as(granted.toString()).isTrue();
        assertThat(check(granted.get("migration_readiness"), "publication_privilege").get("detail").asString())
                .isEqualTo("role app has CREATE on database shop: it can create a publication for a list of tables it owns"
                        + " (FOR ALL TABLES needs a superuser)");
        // what a switchover would need does not decide ready: it says what to grant before one
        assertThat(check(granted.get("migration_readiness"), "switchover").get("detail").asString())
                .contains("does not own database shop").contains("OWNER TO \"app\"");
        sql(admin, "ALTER DATABASE shop OWNER TO app");
        assertThat(check(testConnection(keyValue).json().get("migration_readiness"), "switchover").get("detail").asString())
                .contains("may end only its own roles' sessions").contains("GRANT pg_signal_backend TO \"app\"");
        sql(admin, "GRANT pg_signal_backend TO app");
        assertThat(check(testConnection(keyValue).json().get("migration_readiness"), "switchover").get("ok").asBoolean()).isTrue();
        // a table without a primary key does not decide ready either: it is named, with what to do; so is one whose key has a
        // generated column, which the stream does not carry
        sql(admin, "CREATE TABLE gen_key (a int NOT NULL, b int GENERATED ALWAYS AS (a * 2) STORED PRIMARY KEY)");
        JsonNode identity = check(testConnection(keyValue).json().get("migration_readiness"), "replica_identity");
        assertThat(identity.get("ok").asBoolean()).isFalse();
        assertThat(identity.get("detail").asString()).startsWith("2 tables have no replica identity the follow can use")
                .contains("public.gen_key, public.not_apps").contains("cannot be followed").contains("REPLICA IDENTITY FULL");
        sql(admin, "DROP TABLE gen_key", "ALTER TABLE not_apps REPLICA IDENTITY FULL");
        assertThat(check(testConnection(keyValue).json().get("migration_readiness"), "replica_identity").get("ok").asBoolean()).isTrue();
    }

    @Test
    void anUnreachableServerIs200WithTheErrorAndNoPassword() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var response = testConnection("postgresql://app:Very5ecret@127.0.0.1:" + closed + "/db");
        assertThat(response.status()).isEqualTo(200);
        JsonNode result = response.json();
        assertThat(result.get("reachable").asBoolean()).isFalse();
        assertThat(result.get("error").asString()).startsWith("connect: failed to connect to `host=127.0.0.1 port=" + closed
                + " user=app database=db`: ");
        assertThat(response.body()).doesNotContain("Very5ecret");
        assertThat(result.has("privileges")).isFalse();
        assertThat(result.has("version")).isFalse();
        assertThat(result.has("migration_readiness")).isFalse();
        assertThat(result.has("latency_ns")).isTrue();

        ConnectionDetails server = database("postgres");
        var wrong = testConnection("host=127.0.0.1 port=" + server.port() + " user=" + server.user() + " password=Very5ecret");
        assertThat(wrong.json().get("reachable").asBoolean()).isFalse();
        assertThat(wrong.json().get("error").asString()).contains("password authentication failed");
        assertThat(wrong.body()).doesNotContain("Very5ecret");

        var unreadable = testConnection("postgresql://app:Very5ecret@h:99999/db");
        assertThat(unreadable.status()).isEqualTo(200);
        assertThat(unreadable.json().get("error").asString()).startsWith("connect: cannot parse the connection string: ");
        assertThat(unreadable.body()).doesNotContain("Very5ecret");
    }

    @Test
    void aMissingDsnIs400() {
        assertProblem(api().post("/api/v1/clusters/test-connection", "{}"), 400, "dsn is required");
        assertProblem(api().post("/api/v1/clusters/test-connection", "{\"dsn\":\" \"}"), 400, "dsn is required");
        assertThat(api().post("/api/v1/clusters/test-connection", "").status()).isEqualTo(400);
    }

    @Test
    void aRegisteredNodeIsTestedByIdWithoutItsPasswordLeavingTheService() {
        ConnectionDetails server = database("postgres");
        register("cl_t", "nd_t", "primary", server);
        var response = api().get("/api/v1/clusters/cl_t/test-connection");
        assertThat(response.json().get("reachable").asBoolean()).as(response.body()).isTrue();
        assertThat(api().get("/api/v1/clusters/cl_t/test-connection?node=nd_t").json().get("reachable").asBoolean()).isTrue();
        assertProblem(api().get("/api/v1/clusters/cl_t/test-connection?node=nd_nope"), 404, "node not found");
        assertProblem(api().get("/api/v1/clusters/cl_nope/test-connection"), 404, "cluster not found");
    }

    @Test
    void introspectDescribesTheServerItsDatabasesAndReadiness() {
        ConnectionDetails shop = database("catalog");
        sql(shop, "DROP TABLE IF EXISTS items", "CREATE TABLE items (id int PRIMARY KEY, name text)",
                "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 3) g", "CREATE SCHEMA empty_one");
        // the preferred node is the primary, not the first by id (a replica on a closed port)
        createCluster("{\"id\":\"cl_i\",\"name\":\"i\",\"nodes\":[" + node("nd_a", "replica", shop.withDatabase("postgres"), 1) + ","
                + node("nd_b", "primary", shop.withDatabase("postgres"), shop.port()) + "]}");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode items = table(introspect("/api/v1/clusters/cl_i/introspect"), "catalog", "public", "items");
            assertThat(items.get("row_count").asLong()).isEqualTo(3);
        });
        JsonNode report = introspect("/api/v1/clusters/cl_i/introspect?node=nd_b");
        assertThat(report.get("version").asString()).startsWith("PostgreSQL ");
        assertThat(report.get("is_replica").asBoolean()).isFalse();
        assertThat(report.get("uptime").asString()).matches("(\\d+ days? )?\\d\\d:\\d\\d:\\d\\d");
        assertThat(report.get("started_at").asString()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+");
        assertThat(report.get("max_connections").asInt()).isEqualTo(200);
        assertThat(report.get("cluster_bytes").asLong()).isPositive();
        assertThat(report.get("cluster_size").asString()).isNotEmpty();
        List<Long> sizes = report.get("databases").valueStream().map(d -> d.get("size_bytes").asLong()).toList();
        assertThat(sizes).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(report.get("databases").valueStream().map(d -> d.get("name").asString())).contains("catalog", "postgres", "migration")
                .doesNotContain("template0", "template1");
        JsonNode catalog = database(report, "catalog");
        assertThat(catalog.get("owner").asString()).isEqualTo(shop.user());
        assertThat(catalog.get("schemas").valueStream().map(s -> s.get("name").asString())).containsExactly("empty_one", "public");
        JsonNode empty = catalog.get("schemas").get(0);
        assertThat(empty.toString()).isEqualTo("{\"name\":\"empty_one\",\"tables\":[],\"table_count\":0,\"total_size\":\"0 bytes\","
                + "\"total_bytes\":0}");
        JsonNode items = table(report, "catalog", "public", "items");
        assertThat(items.get("total_bytes").asLong()).isEqualTo(items.get("data_bytes").asLong() + items.get("index_bytes").asLong());
        assertThat(items.get("index_bytes").asLong()).isPositive();
        assertThat(report.get("parameters").valueStream().filter(p -> p.get("name").asString().equals("wal_level")).findFirst().orElseThrow()
                .get("setting").asString()).isEqualTo("logical");
        assertThat(report.get("parameters").valueStream().map(p -> p.get("source").asString())).doesNotContain("default", "client", "session");
        assertThat(report.get("migration_readiness").get("ready").asBoolean()).isTrue();
    }

    @Test
    void introspectErrorsArePgmanagers() {
        ConnectionDetails server = database("postgres");
        register("cl_e", "nd_e", "replica", server.withDatabase("postgres"));
        assertProblem(api().get("/api/v1/clusters/cl_none/introspect"), 404, "cluster not found");
        assertProblem(api().get("/api/v1/clusters/cl_e/introspect?node=nd_x"), 404, "node not found");

        createCluster("{\"id\":\"cl_closed\",\"name\":\"c\",\"nodes\":[" + node("nd_c", "primary", server, 1) + "]}");
        var unreachable = api().get("/api/v1/clusters/cl_closed/introspect");
        assertProblem(unreachable, 502, "connect: failed to connect to `host=127.0.0.1 port=1 user=" + server.user());
        assertThat(unreachable.body()).doesNotContain(server.password() + "@").doesNotContain("\"" + server.password() + "\"");

        state.sql("DELETE FROM migration.nodes WHERE cluster_id = 'cl_e'").update();
        assertProblem(api().get("/api/v1/clusters/cl_e/introspect"), 400, "no node available");
        assertProblem(api().get("/api/v1/clusters/cl_e/test-connection"), 400, "no node available");
    }

    private HttpCalls.Response testConnection(String dsn) {
        return api().post("/api/v1/clusters/test-connection", "{\"dsn\":" + HttpCalls.JSON.writeValueAsString(dsn) + "}");
    }

    private JsonNode introspect(String path) {
        var response = api().get(path);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private void register(String clusterId, String nodeId, String role, ConnectionDetails server) {
        createCluster("{\"id\":\"" + clusterId + "\",\"name\":\"n\",\"nodes\":[" + node(nodeId, role, server, server.port()) + "]}");
    }

    private void createCluster(String body) {
        var created = api().post("/api/v1/clusters", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    private static String node(String id, String role, ConnectionDetails server, int port) {
        return "{\"id\":\"" + id + "\",\"host\":\"" + server.host() + "\",\"port\":" + port + ",\"role\":\"" + role + "\",\"user\":\""
                + server.user() + "\",\"password\":\"" + server.password() + "\",\"dbname\":\"" + server.database() + "\"}";
    }

    private static JsonNode check(JsonNode readiness, String name) {
        return readiness.get("checks").valueStream().filter(c -> c.get("name").asString().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode database(JsonNode report, String name) {
        return report.get("databases").valueStream().filter(d -> d.get("name").asString().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode table(JsonNode report, String db, String schema, String name) {
        return database(report, db).get("schemas").valueStream().filter(s -> s.get("name").asString().equals(schema)).findFirst()
                .orElseThrow().get("tables").valueStream().filter(t -> t.get("name").asString().equals(name)).findFirst().orElseThrow();
    }
}
