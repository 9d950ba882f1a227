package dev.pgcorral.migration.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import dev.pgcorral.common.pg.ConnectionDetails;
import dev.pgcorral.common.web.ApiException;
import dev.pgcorral.migration.MigrationProperties;
import dev.pgcorral.migration.MigrationTestBase;
import dev.pgcorral.migration.cluster.ClusterUsage;
import dev.pgcorral.migration.cluster.Clusters;
import dev.pgcorral.migration.cluster.HttpCalls;
import dev.pgcorral.migration.cluster.PasswordCipher;
import tools.jackson.databind.JsonNode;

/**
 * The cluster registry over HTTP (pgmanager §3): objects, masks, ids, PUT rules, 400/404/409 with the state left
 * as it was, passwords encrypted at rest with a generated key file; and calls without a password on loopback.
 */
@TestPropertySource(properties = "pgcorral.migration.secret-key=")
class ClusterApiTest extends MigrationTestBase {

    private static final String ULID = "[0-9a-hjkmnp-tv-z]{26}";
    private static final String RFC3339 = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z";
    private static final Map<String, String> USED = new ConcurrentHashMap<>();

    /** What migrations would tell: cluster id to the migration that uses it. */
    @TestConfiguration
    static class Usage {
        @Bean
        ClusterUsage testClusterUsage() {
            return clusterId -> Optional.ofNullable(USED.get(clusterId));
        }
    }

    @Autowired
    Clusters clusters;

    @Autowired
    JdbcClient state;

    @Autowired
    MigrationProperties properties;

    private final HttpCalls api() {
        return new HttpCalls(port, null);
    }

    @AfterEach
    void removeClusters() {
        USED.clear();
        clusters.list().forEach(c -> clusters.delete(c.id()));
    }

    @Test
    void createKeepsSentIdsEchoesRequestOrderAndMasksThePassword() {
        var created = api().post("/api/v1/clusters", """
                {"id":"cl_mine","name":"Production","tags":["env:prod"],"ignored":1,
                 "nodes":[{"id":"nd_b","name":"pg-1","host":"10.0.0.11","port":5432,"role":"primary","user":"migrator",
                           "password":"s3cret","dbname":"app"},
                          {"host":"10.0.0.12","port":5433,"role":"replica","agent_url":"http://agent:1","monitoring_enabled":true}],
                 "backup_path":"/backups/prod"}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.contentType()).startsWith("application/json");
        assertThat(created.body()).doesNotContain("s3cret");
        JsonNode cluster = created.json();
        assertThat(cluster.get("id").asString()).isEqualTo("cl_mine");
        assertThat(cluster.get("tags").toString()).isEqualTo("[\"env:prod\"]");
        assertThat(cluster.get("backup_path").asString()).isEqualTo("/backups/prod");
        assertThat(cluster.get("created_at").asString()).matches(RFC3339).isEqualTo(cluster.get("updated_at").asString());
        JsonNode first = cluster.get("nodes").get(0);
        JsonNode second = cluster.get("nodes").get(1);
        assertThat(first.toString()).isEqualTo("{\"id\":\"nd_b\",\"name\":\"pg-1\",\"host\":\"10.0.0.11\",\"port\":5432,\"role\":\"primary\","
                + "\"user\":\"migrator\",\"password\":\"********\",\"dbname\":\"app\",\"monitoring_enabled\":false}");
        String generated = second.get("id").asString();
        assertThat(generated).matches("nd_" + ULID);
        assertThat(second.toString()).isEqualTo("{\"id\":\"" + generated + "\",\"name\":\"\",\"host\":\"10.0.0.12\",\"port\":5433,"
                + "\"role\":\"replica\",\"agent_url\":\"http://agent:1\",\"monitoring_enabled\":true}");

        JsonNode read = api().get("/api/v1/clusters/cl_mine").json();
        assertThat(read.get("nodes").findValuesAsString("id")).containsExactly(generated, "nd_b");
        assertThat(read.get("created_at").asString()).isEqualTo(cluster.get("created_at").asString());
        assertThat(read.get("nodes").get(0)).isEqualTo(second);
        assertThat(read.get("backup_path").asString()).isEqualTo("/backups/prod");

        String stored = state.sql("SELECT password FROM migration.nodes WHERE id = 'nd_b'").query(String.class).single();
        assertThat(stored).startsWith("enc:v1:").doesNotContain("s3cret");
        assertThat(Base64.getDecoder().decode(stored.substring(7))).hasSize(12 + "s3cret".length() + 16);
        ConnectionDetails details = clusters.connection("cl_mine", "nd_b");
        assertThat(details).isEqualTo(new ConnectionDetails("10.0.0.11", 5432, "app", "migrator", "s3cret"));
        assertThat(clusters.connection("cl_mine", generated)).isEqualTo(new ConnectionDetails("10.0.0.12", 5433, "postgres", "postgres", ""));
    }

    @Test
    void generatesUlidIdsAndListsByCreationTime() {
        assertThat(api().get("/api/v1/clusters").body()).isEqualTo("[]");
        String a = api().post("/api/v1/clusters", "{\"name\":\"a\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}").json().get("id").asString();
        String b = api().post("/api/v1/clusters", "{\"id\":\"\",\"name\":\"b\",\"nodes\":[{\"host\":\"h\",\"port\":2}]}").json().get("id")
                .asString();
        assertThat(a).matches("cl_" + ULID);
        assertThat(b).matches("cl_" + ULID).isNotEqualTo(a);
        var list = api().get("/api/v1/clusters");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.contentType()).startsWith("application/json");
        assertThat(list.json().valueStream().map(c -> c.get("name").asString())).containsExactly("a", "b");
        assertThat(list.json().get(0).has("tags")).isFalse();
    }

    @Test
    void invalidBodiesAre400WithPgmanagersMessagesAndWriteNothing() {
        assertProblem(api().post("/api/v1/clusters", "{}"), 400, "validation: cluster name is required\nat least one node is required");
        var nodes = api().post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"port\":5432},{\"host\":\"h\"},{\"host\":\"h\",\"port\":70000}]}");
        assertProblem(nodes, 400, "validation: node 0: host is required\nnode 1: port is required\n"
                + "node 2: port must be between 1 and 65535 (was 70000)");
        assertThat(nodes.json().get("errors").findValuesAsString("message")).containsExactly("node 0: host is required",
                "node 1: port is required", "node 2: port must be between 1 and 65535 (was 70000)");
        assertProblem(api().post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"id\":\"n1\",\"host\":\"h\",\"port\":1},"
                + "{\"id\":\"n1\",\"host\":\"h\",\"port\":2}]}"), 400, "validation: node 1: id n1 is also the id of node 0");
        assertProblem(api().post("/api/v1/clusters", "{\"id\":\"a/b\",\"name\":\"x\",\"nodes\":[{\"host\":\"h?sslfactory=x\",\"port\":1}]}"),
                400, "validation: cluster id must be 1 to 100 letters, digits, '.', '_', '~' or '-', and not '.' or '..' (which a path "
                        + "reads as a folder)\nnode 0: host must be a host name or an IP address (an IPv6 address without brackets)");
        assertProblem(api().post("/api/v1/clusters", "{\"id\":\"..\",\"name\":\"" + "n".repeat(201) + "\",\"nodes\":[{\"id\":\".\","
                + "\"host\":\"h\",\"port\":1}]}"), 400, "validation: cluster id must be 1 to 100 letters, digits, '.', '_', '~' or '-', and "
                + "not '.' or '..' (which a path reads as a folder)\ncluster name must be at most 200 characters (was 201)\nnode 0: id must be");
        assertThat(api().post("/api/v1/clusters", "{\"name\":").status()).isEqualTo(400);
        assertProblem(api().post("/api/v1/clusters", "{\"name\":\"x\",\"tags\":[\"a\",null],\"nodes\":[{\"host\":\"h\",\"port\":1}]}"), 400,
                "validation: tag 1 must be a string (was null)");
        assertProblem(api().post("/api/v1/clusters", ""), 400, "invalid request body: EOF (the body is empty: it must be a JSON object)");
        assertProblem(api().post("/api/v1/clusters", "null"), 400, "validation: cluster name is required\nat least one node is required");
        assertThat(api().post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"host\":\"h\",\"port\":\"many\"}]}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/clusters", "{\"name\":\"x\",\"nodes\":[{\"host\":\"h\",\"port\":\"5432\"}]}").status()).isEqualTo(400);
        assertThat(api().post("/api/v1/clusters", "{\"name\":12,\"nodes\":[{\"host\":\"h\",\"port\":5432}]}").status()).isEqualTo(400);
        assertProblem(api().post("/api/v1/clusters", "{\"name\":\"x\\u0000\",\"nodes\":[{\"host\":\"h\",\"port\":1,"
                + "\"user\":\"a\\u0000\",\"password\":\"\\u0000\"}]}"), 400, "validation: cluster name must not contain a NUL character"
                + " (\\u0000)\nnode 0: password must not contain a NUL character (\\u0000)\nnode 0: user must not contain a NUL character");
        assertThat(count()).isZero();

        create("{\"id\":\"cl_v\",\"name\":\"v\",\"nodes\":[{\"id\":\"nd_v\",\"host\":\"h\",\"port\":1,\"password\":\"keep\"}]}");
        String before = api().get("/api/v1/clusters/cl_v").body();
        assertProblem(api().put("/api/v1/clusters/cl_v", "{\"name\":\"\",\"nodes\":[]}"), 400,
                "validation: cluster name is required\nat least one node is required");
        assertProblem(api().put("/api/v1/clusters/cl_v", ""), 400, "invalid request body: EOF (the body is empty: it must be a JSON object)");
        assertThat(api().get("/api/v1/clusters/cl_v").body()).isEqualTo(before);
        assertThat(clusters.connection("cl_v", "nd_v").password()).isEqualTo("keep");
    }

    @Test
    void unknownIdsAre404OnEveryRoute() {
        String body = "{\"name\":\"x\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}";
        assertProblem(api().get("/api/v1/clusters/cl_nope"), 404, "cluster not found");
        assertProblem(api().put("/api/v1/clusters/cl_nope", body), 404, "cluster \"cl_nope\" not found");
        assertProblem(api().delete("/api/v1/clusters/cl_nope"), 404, "cluster \"cl_nope\" not found");
        assertThat(count()).isZero();
        assertThatThrownBy(() -> clusters.connection("cl_nope", "nd_x")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(404);
            assertThat(e.getMessage()).isEqualTo("cluster \"cl_nope\" not found");
        });
        create("{\"id\":\"cl_here\",\"name\":\"x\",\"nodes\":[{\"id\":\"nd_here\",\"host\":\"h\",\"port\":1}]}");
        assertThatThrownBy(() -> clusters.connection("cl_here", "nd_x")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(404);
            assertThat(e.getMessage()).isEqualTo("node \"nd_x\" not found in cluster \"cl_here\"");
        });
    }

    @Test
    void takenIdsAre409NamingWhatConflictsAndChangeNothing() {
        create("{\"id\":\"cl_one\",\"name\":\"one\",\"nodes\":[{\"id\":\"nd_shared\",\"host\":\"h\",\"port\":1}]}");
        create("{\"id\":\"cl_two\",\"name\":\"two\",\"nodes\":[{\"id\":\"nd_two\",\"host\":\"h\",\"port\":2}]}");
        String one = api().get("/api/v1/clusters/cl_one").body();
        String two = api().get("/api/v1/clusters/cl_two").body();

        assertProblem(api().post("/api/v1/clusters", "{\"id\":\"cl_one\",\"name\":\"again\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}"), 409,
                "cluster id \"cl_one\" is already taken; choose another id or leave it out to have one generated");
        assertProblem(api().post("/api/v1/clusters", "{\"name\":\"three\",\"nodes\":[{\"host\":\"h\",\"port\":1},"
                        + "{\"id\":\"nd_shared\",\"host\":\"h\",\"port\":1}]}"), 409,
                "node 1: node id \"nd_shared\" already belongs to cluster \"cl_one\"; node ids are unique over all clusters: choose another"
                        + " id or leave it out to have one generated");
        assertProblem(api().put("/api/v1/clusters/cl_two", "{\"name\":\"two\",\"nodes\":[{\"id\":\"nd_shared\",\"host\":\"x\",\"port\":9}]}"),
                409, "node 0: node id \"nd_shared\" already belongs to cluster \"cl_one\"");
        assertThat(api().get("/api/v1/clusters/cl_one").body()).isEqualTo(one);
        assertThat(api().get("/api/v1/clusters/cl_two").body()).isEqualTo(two);
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void putReplacesEverythingAndKeepsAnAbsentOrMaskedPasswordOfTheSameNodeOnly() {
        JsonNode old = create("{\"id\":\"cl_p\",\"name\":\"old\",\"tags\":[\"a\"],\"backup_path\":\"/b\",\"nodes\":["
                + "{\"id\":\"nd_a\",\"host\":\"h\",\"port\":1,\"password\":\"one\"},{\"id\":\"nd_b\",\"host\":\"h\",\"port\":2,\"password\":\"two\"},"
                + "{\"id\":\"nd_c\",\"host\":\"h\",\"port\":3,\"password\":\"three\"},{\"id\":\"nd_e\",\"host\":\"h\",\"port\":5,\"password\":\"five\"},"
                + "{\"id\":\"nd_f\",\"host\":\"h\",\"port\":6,\"password\":\"six\"}]}");
        var put = api().put("/api/v1/clusters/cl_p", "{\"id\":\"ignored\",\"name\":\"new\",\"nodes\":["
                + "{\"id\":\"nd_f\",\"host\":\"h2\",\"port\":6,\"password\":\"\"},"
                + "{\"id\":\"nd_a\",\"host\":\"h\",\"port\":1,\"dbname\":\"other\",\"password\":\"********\"},{\"id\":\"nd_b\",\"host\":\"h2\",\"port\":2,\"password\":\"new\"},"
                + "{\"id\":\"nd_c\",\"host\":\"h\",\"port\":3},{\"id\":\"nd_d\",\"host\":\"h2\",\"port\":4,\"password\":\"********\"},"
                + "{\"host\":\"h2\",\"port\":7,\"password\":\"********\"}]}");
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.contentType()).startsWith("application/json");
        JsonNode cluster = put.json();
        assertThat(cluster.get("id").asString()).isEqualTo("cl_p");
        assertThat(cluster.get("name").asString()).isEqualTo("new");
        assertThat(cluster.has("tags")).isFalse();
        assertThat(cluster.has("backup_path")).isFalse();
        assertThat(cluster.get("created_at").asString()).isEqualTo(old.get("created_at").asString());
        assertThat(Instant.parse(cluster.get("updated_at").asString())).isAfter(Instant.parse(old.get("updated_at").asString()));
        List<String> ids = cluster.get("nodes").findValuesAsString("id");
        assertThat(ids).hasSize(6).endsWith("nd_a", "nd_b", "nd_c", "nd_d", "nd_f").isSorted();
        String generated = ids.get(0);
        assertThat(generated).matches("nd_" + ULID);
        assertThat(cluster.get("nodes").findValuesAsString("password")).containsExactly("********", "********", "********");
        assertThat(clusters.connection("cl_p", "nd_a").password()).isEqualTo("one");
        assertThat(clusters.connection("cl_p", "nd_a").database()).isEqualTo("other");
        assertThat(clusters.connection("cl_p", "nd_b").password()).isEqualTo("new");
        assertThat(clusters.connection("cl_p", "nd_c").password()).as("left out: kept (pgmanager erased it)").isEqualTo("three");
        assertThat(clusters.connection("cl_p", "nd_d").password()).isEmpty();
        assertThat(clusters.connection("cl_p", generated).password()).isEmpty();
        assertThat(clusters.connection("cl_p", "nd_f").password()).isEmpty();
        assertThat(state.sql("SELECT count(*) FROM migration.nodes WHERE id = 'nd_e'").query(Long.class).single()).isZero();
        assertThat(api().get("/api/v1/clusters/cl_p").body()).isEqualTo(put.body());

        // curl -XPUT -d says form data: the body is read as JSON all the same
        var form = api().send(api().request("/api/v1/clusters/cl_p").header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"by curl\",\"nodes\":[{\"id\":\"nd_a\",\"host\":\"h\",\"port\":1}]}")));
        assertThat(form.status()).as(form.body()).isEqualTo(200);
        assertThat(form.json().get("name").asString()).isEqualTo("by curl");
        assertThat(clusters.connection("cl_p", "nd_a").password()).isEqualTo("one");
    }

    @Test
    void aKeptPasswordGoesOnlyToTheServerAndUserItWasGivenFor() {
        create("{\"id\":\"cl_m\",\"name\":\"m\",\"nodes\":[{\"id\":\"nd_m\",\"host\":\"h\",\"port\":1,\"user\":\"u\",\"password\":\"pw\"}]}");
        for (String moved : List.of("\"host\":\"elsewhere\",\"port\":1,\"user\":\"u\"", "\"host\":\"h\",\"port\":2,\"user\":\"u\"",
                "\"host\":\"h\",\"port\":1,\"user\":\"other\"", "\"host\":\"h\",\"port\":1")) {
            for (String kept : List.of("", ",\"password\":\"********\"")) {
                assertProblem(api().put("/api/v1/clusters/cl_m", "{\"name\":\"m\",\"nodes\":[{\"id\":\"nd_m\"," + moved + kept + "}]}"), 400,
                        "validation: node 0: its password is required, since its host, port or user changed: the stored one is sent only to "
                                + "the server and user it was given for (send it again, or \"\" for none)");
            }
        }
        assertThat(clusters.connection("cl_m", "nd_m").host()).isEqualTo("h");
        assertThat(clusters.connection("cl_m", "nd_m").password()).isEqualTo("pw");

        // the same server and user, another database: kept
        assertThat(api().put("/api/v1/clusters/cl_m", "{\"name\":\"m\",\"nodes\":[{\"id\":\"nd_m\",\"host\":\"h\",\"port\":1,"
                + "\"user\":\"u\",\"dbname\":\"b\"}]}").status()).isEqualTo(200);
        assertThat(clusters.connection("cl_m", "nd_m").password()).isEqualTo("pw");
        // moved with a password: that one
        assertThat(api().put("/api/v1/clusters/cl_m", "{\"name\":\"m\",\"nodes\":[{\"id\":\"nd_m\",\"host\":\"elsewhere\",\"port\":1,"
                + "\"user\":\"u\",\"password\":\"pw2\"}]}").status()).isEqualTo(200);
        assertThat(clusters.connection("cl_m", "nd_m").host()).isEqualTo("elsewhere");
        assertThat(clusters.connection("cl_m", "nd_m").password()).isEqualTo("pw2");

        // two nodes that swap ids each move to the other's server; a user left out is postgres, as the one it was
        create("{\"id\":\"cl_s\",\"name\":\"s\",\"nodes\":[{\"id\":\"nd_1\",\"host\":\"h1\",\"port\":1,\"password\":\"one\"},"
                + "{\"id\":\"nd_2\",\"host\":\"h2\",\"port\":1,\"password\":\"two\"}]}");
        String before = api().get("/api/v1/clusters/cl_s").body();
        assertProblem(api().put("/api/v1/clusters/cl_s", "{\"name\":\"s\",\"nodes\":[{\"id\":\"nd_2\",\"host\":\"h1\",\"port\":1},"
                + "{\"id\":\"nd_1\",\"host\":\"h2\",\"port\":1}]}"), 400, "validation: node 0: its password is required");
        assertProblem(api().put("/api/v1/clusters/cl_s", "{\"name\":\"renamed\",\"nodes\":[{\"id\":\"nd_1\",\"host\":\"h1\",\"port\":1},"
                + "{\"id\":\"nd_2\",\"host\":\"h3\",\"port\":1}]}"), 400, "validation: node 1: its password is required");
        assertThat(api().get("/api/v1/clusters/cl_s").body()).as("one node moved: nothing changed").isEqualTo(before);
        assertThat(api().put("/api/v1/clusters/cl_s", "{\"name\":\"s\",\"nodes\":[{\"id\":\"nd_1\",\"host\":\"h1\",\"port\":1,"
                + "\"user\":\"postgres\"},{\"id\":\"nd_2\",\"host\":\"h2\",\"port\":1}]}").status()).isEqualTo(200);
        assertThat(clusters.connection("cl_s", "nd_1").password()).isEqualTo("one");
        assertThat(clusters.connection("cl_s", "nd_2").password()).isEqualTo("two");
    }

    @Test
    void deleteIs409WhileAMigrationUsesTheClusterThen204() {
        create("{\"id\":\"cl_d\",\"name\":\"d\",\"nodes\":[{\"host\":\"h\",\"port\":1}]}");
        USED.put("cl_d", "mig_7");
        assertProblem(api().delete("/api/v1/clusters/cl_d"), 409, "cluster \"cl_d\" is used by migration \"mig_7\"; delete that migration first");
        assertThat(api().get("/api/v1/clusters/cl_d").status()).isEqualTo(200);
        USED.clear();
        var deleted = api().delete("/api/v1/clusters/cl_d");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(state.sql("SELECT count(*) FROM migration.nodes").query(Long.class).single()).isZero();
        assertProblem(api().get("/api/v1/clusters/cl_d"), 404, "cluster not found");
    }

    @Test
    void aReferenceNoClusterUsageReportedStillGives409AndNoChange() {
        create("{\"id\":\"cl_r\",\"name\":\"r\",\"nodes\":[{\"id\":\"nd_r\",\"host\":\"h\",\"port\":1}]}");
        String before = api().get("/api/v1/clusters/cl_r").body();
        state.sql("CREATE TABLE migration.test_refs (node_id text REFERENCES migration.nodes)").update();
        try {
            state.sql("INSERT INTO migration.test_refs VALUES ('nd_r')").update();
            assertProblem(api().put("/api/v1/clusters/cl_r", "{\"name\":\"r2\",\"nodes\":[{\"host\":\"h\",\"port\":2}]}"), 409,
                    "cluster \"cl_r\" was not changed: a node this replacement removes is still used by a migration");
            assertProblem(api().delete("/api/v1/clusters/cl_r"), 409, "cluster \"cl_r\" is still used by a migration");
            assertThat(api().get("/api/v1/clusters/cl_r").body()).isEqualTo(before);
        } finally {
            state.sql("DROP TABLE migration.test_refs").update();
        }
    }

    @Test
    void passwordsAreEncryptedWithAKeyFileOnlyTheServiceMayRead() throws Exception {
        var key = properties.keyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(key).strip())).hasSize(32);

        create("{\"id\":\"cl_k\",\"name\":\"k\",\"nodes\":[{\"id\":\"nd_k\",\"host\":\"h\",\"port\":1,\"password\":\"pw\"}]}");
        byte[] otherKey = new byte[32];
        String foreign = new PasswordCipher(otherKey).encrypt("pw");
        assertThat(clusters.undecryptableNodes()).isEmpty();
        state.sql("UPDATE migration.nodes SET password = ? WHERE id = 'nd_k'").param(foreign).update();
        assertThat(clusters.undecryptableNodes()).containsExactly("nd_k");
        assertThatThrownBy(() -> clusters.connection("cl_k", "nd_k")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(500);
            assertThat(e.getMessage()).contains("cannot be decrypted: it was encrypted with another key")
                    .contains("pgcorral.migration.secret-key (PGCORRAL_MIGRATION_KEY)").contains("pgcorral.migration.key-file");
        });
        var probe = api().get("/api/v1/clusters/cl_k/test-connection");
        assertProblem(probe, 500, "the stored password of node \"nd_k\" in cluster \"cl_k\" cannot be decrypted");
        assertThat(probe.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void loopbackCallersNeedNoPasswordButAWrongOneOrAForeignOriginIsRefused() {
        assertThat(api().get("/api/v1/clusters").status()).isEqualTo(200);
        assertThat(new HttpCalls(port, PASSWORD).get("/api/v1/clusters").status()).isEqualTo(200);
        assertProblem(new HttpCalls(port, "wrong").get("/api/v1/clusters"), 401, "Wrong password");
        assertProblem(api().send(api().request("/api/v1/clusters").header("Origin", "https://evil.example").GET()), 401, "Host and Origin");
        assertThat(api().send(api().request("/api/v1/clusters").header("Origin", "http://localhost:3000").GET()).status()).isEqualTo(200);
        assertThat(api().statusWithHost("/api/v1/clusters", "rebound.example:" + port)).isEqualTo(401);
        assertThat(api().statusWithHost("/api/v1/clusters", "localhost:" + port)).isEqualTo(200);
        assertThat(api().statusWithHost("/api/v1/clusters", "[::1]:" + port)).isEqualTo(200);
    }

    private JsonNode create(String body) {
        var created = api().post("/api/v1/clusters", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private long count() {
        return state.sql("SELECT count(*) FROM migration.clusters").query(Long.class).single();
    }

    static void assertProblem(HttpCalls.Response response, int status, String detail) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.detail()).contains(detail);
    }
}
