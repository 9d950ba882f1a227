package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

/**
 * Through a real server on a random port: requests run on the server's threads, and still reach the database of the
 * test that sent them (the one test running in this context).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class OrdersHttpTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    ProductRepository products;

    private HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aProductAddedOverHttpIsInTheTestsDatabase() throws Exception {
        assertThat(post("/products", "{\"sku\":\"LAMP\",\"name\":\"Lamp\",\"priceCents\":2500,\"stock\":3}").statusCode()).isEqualTo(201);

        assertThat(products.findAll()).extracting(Product::getSku).containsExactly("LAMP");
    }

    @Test
    void whatTheTestStoredTheServerServes() throws Exception {
        products.save(new Product("DESK", "Desk", 19900, 1));

        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/products/DESK"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"priceCents\":19900");
    }

    @Test
    void eachTestStartsWithAnEmptyCatalog() throws Exception {
        assertThat(products.count()).isZero();
        assertThat(post("/products", "{\"sku\":\"DESK\",\"name\":\"Desk\",\"priceCents\":1,\"stock\":1}").statusCode()).isEqualTo(201);
        assertThat(products.count()).isEqualTo(1);
    }
}
