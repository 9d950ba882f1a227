package dev.pgcorral.example.orders;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

/** The HTTP API, through MockMvc. Ids start at 1 in every test: each has a database of its own. */
@SpringBootTest
@AutoConfigureMockMvc
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class OrdersApiTest {

    @Autowired
    MockMvc mvc;

    @BeforeEach
    void shop() throws Exception {
        send("/customers", "{\"email\":\"grace@example.com\",\"name\":\"Grace\"}").andExpect(status().isCreated());
        send("/products", "{\"sku\":\"MUG\",\"name\":\"Mug\",\"priceCents\":900,\"stock\":5}").andExpect(status().isCreated());
    }

    private ResultActions send(String path, String json) throws Exception {
        return mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content(json));
    }

    @Test
    void idsStartAfreshInEveryTest() throws Exception {
        send("/customers", "{\"email\":\"alan@example.com\",\"name\":\"Alan\"}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/customers/2"));
    }

    @Test
    void placingAnOrderAnswersWithItAndWhereItIs() throws Exception {
        send("/orders", "{\"customerId\":1,\"lines\":[{\"sku\":\"MUG\",\"quantity\":2}]}")
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", "/orders/1"))
                .andExpect(jsonPath("$.totalCents").value(1800))
                .andExpect(jsonPath("$.status").value("PLACED"));
        mvc.perform(get("/products/MUG")).andExpect(jsonPath("$.stock").value(3));
    }

    @Test
    void anOrderCanBeReadBack() throws Exception {
        send("/orders", "{\"customerId\":1,\"lines\":[{\"sku\":\"MUG\",\"quantity\":1},{\"sku\":\"MUG\",\"quantity\":1}]}");

        mvc.perform(get("/orders/1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.lines.length()").value(1))
                .andExpect(jsonPath("$.lines[0].quantity").value(2));
    }

    @Test
    void tooManyIsAConflictThatSaysWhy() throws Exception {
        send("/orders", "{\"customerId\":1,\"lines\":[{\"sku\":\"MUG\",\"quantity\":6}]}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value("MUG: 6 wanted, 5 in stock"));
    }

    @Test
    void cancellingTwiceIsAConflict() throws Exception {
        send("/orders", "{\"customerId\":1,\"lines\":[{\"sku\":\"MUG\",\"quantity\":1}]}");
        mvc.perform(post("/orders/1/cancel")).andExpect(status().isOk()).andExpect(jsonPath("$.status").value("CANCELLED"));

        mvc.perform(post("/orders/1/cancel")).andExpect(status().isConflict());
        mvc.perform(get("/products/MUG")).andExpect(jsonPath("$.stock").value(5));
    }

    @Test
    void unknownThingsAreNotFound() throws Exception {
        mvc.perform(get("/orders/1")).andExpect(status().isNotFound()).andExpect(jsonPath("$.detail").value("order 1 not found"));
        mvc.perform(get("/products/CUP")).andExpect(status().isNotFound());
    }

    @Test
    void badInputIsABadRequest() throws Exception {
        send("/customers", "{\"email\":\"not an address\",\"name\":\"X\"}").andExpect(status().isBadRequest());
        send("/orders", "{\"customerId\":1,\"lines\":[]}").andExpect(status().isBadRequest());
        send("/orders", "{\"customerId\":1,\"lines\":[{\"sku\":\"MUG\",\"quantity\":0}]}").andExpect(status().isBadRequest());
    }

    @Test
    void aTakenEmailIsAConflict() throws Exception {
        send("/customers", "{\"email\":\"grace@example.com\",\"name\":\"Another Grace\"}").andExpect(status().isConflict());
    }
}
