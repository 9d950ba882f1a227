package dev.pgcorral.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.pgcorral.common.pg.ConnectionDetails;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** migration-service's API as the tests call it: plain HTTP on loopback, with the password when one is given. */
public final class MigrationCalls {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public record Reply(int status, String contentType, JsonNode body, String location, String retryAfter) {
    }

    private final int port;
    private final String password;
    private final HttpClient http = HttpClient.newHttpClient();

    /** @param password sent as a bearer token; null: none (a client of pgmanager's that sends no credentials) */
    public MigrationCalls(int port, String password) {
        this.port = port;
        this.password = password;
    }

    public Reply call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, "application/json");
    }

    /** {@link #call} with the body declared as form data, as {@code curl -d} sends it. */
    public Reply callAsForm(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, "application/x-www-form-urlencoded");
    }

    private Reply call(String method, String path, String body, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        if (password != null) {
            b.header("Authorization", "Bearer " + password);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, r.headers().firstValue("Location").orElse(""),
                r.headers().firstValue("Retry-After").orElse(null));
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return call("GET", path, null).body();
    }

    /** Registers a cluster of one node, the database {@code db}; returns its id. */
    public String cluster(String name, ConnectionDetails db) throws IOException, InterruptedException {
        Reply r = call("POST", "/api/v1/clusters", "{\"name\":\"" + name + "\",\"nodes\":[{\"name\":\"n\",\"host\":\"" + db.host()
                + "\",\"port\":" + db.port() + ",\"role\":\"primary\",\"user\":\"" + db.user() + "\",\"password\":\"" + db.password()
                + "\",\"dbname\":\"" + db.database() + "\"}]}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().path("id").asString();
    }

    public String node(String cluster) throws IOException, InterruptedException {
        return get("/api/v1/clusters/" + cluster).path("nodes").get(0).path("id").asString();
    }

    /** The create request's body for a migration from {@code sourceCluster} to {@code destCluster} (one node each). */
    public String migrationBody(String id, String sourceCluster, String destCluster, String mode) throws IOException, InterruptedException {
        return "{\"id\":\"" + id + "\",\"name\":\"" + id + "\",\"source_cluster_id\":\"" + sourceCluster + "\",\"dest_cluster_id\":\""
                + destCluster + "\",\"source_node_id\":\"" + node(sourceCluster) + "\",\"dest_node_id\":\"" + node(destCluster)
                + "\",\"mode\":\"" + mode + "\",\"copy_workers\":2}";
    }

    /** Registers both databases as clusters, creates the migration and starts it. */
    public void createAndStart(String id, ConnectionDetails source, ConnectionDetails destination, String mode) throws Exception {
        Reply created = call("POST", "/api/v1/migrations", migrationBody(id, cluster(id + "-source", source),
                cluster(id + "-destination", destination), mode));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        Reply started = call("POST", "/api/v1/migrations/" + id + "/start", null);
        assertThat(started.status()).as(started.body().toString()).isEqualTo(200);
    }

    /** Waits for the status; a migration that fails meanwhile fails the test with its error. */
    public JsonNode awaitStatus(String id, String status, Duration atMost) {
        String path = "/api/v1/migrations/" + id.replace(" ", "%20");
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            last[0] = get(path);
            String now = last[0].path("status").asString();
            if (!status.equals("failed")) {
                assertThat(now).as(last[0].path("error_message").asString()).isNotEqualTo("failed");
            }
            return now.equals(status);
        });
        return last[0];
    }
}
