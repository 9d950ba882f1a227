package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

@SpringBootTest
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class OrderServiceTest {

    @Autowired
    OrderService service;
    @Autowired
    CustomerRepository customers;
    @Autowired
    ProductRepository products;
    @Autowired
    OrderRepository orders;

    long ada;

    @BeforeEach
    void shop() {
        ada = customers.save(new Customer("ada@example.com", "Ada")).getId();
        products.save(new Product("PEN", "Pen", 150, 10));
        products.save(new Product("INK", "Ink", 700, 2));
    }

    @Test
    void placingAnOrderTakesStockAndTotalsItsLines() {
        OrderView order = service.place(ada, Map.of("PEN", 3, "INK", 1));

        assertThat(order.totalCents()).isEqualTo(3 * 150 + 700);
        assertThat(order.lines()).hasSize(2);
        assertThat(products.findBySku("PEN").orElseThrow().getStock()).isEqualTo(7);
        assertThat(products.findBySku("INK").orElseThrow().getStock()).isEqualTo(1);
    }

    @Test
    void anOrderBeyondTheStockChangesNothing() {
        assertThatThrownBy(() -> service.place(ada, Map.of("PEN", 1, "INK", 3)))
                .isInstanceOf(OutOfStockException.class).hasMessage("INK: 3 wanted, 2 in stock");

        assertThat(orders.count()).isZero();
        assertThat(products.findBySku("PEN").orElseThrow().getStock()).isEqualTo(10);
    }

    @Test
    void cancellingGivesTheStockBack() {
        OrderView order = service.place(ada, Map.of("PEN", 4));

        OrderView cancelled = service.cancel(order.id());

        assertThat(cancelled.status()).isEqualTo(PurchaseOrder.Status.CANCELLED);
        assertThat(products.findBySku("PEN").orElseThrow().getStock()).isEqualTo(10);
    }

    @Test
    void anOrderIsCancelledOnce() {
        long id = service.place(ada, Map.of("INK", 2)).id();
        service.cancel(id);

        assertThatThrownBy(() -> service.cancel(id)).isInstanceOf(IllegalStateException.class);
        assertThat(products.findBySku("INK").orElseThrow().getStock()).isEqualTo(2);
    }

    @Test
    void anUnknownCustomerOrProductIsNotFound() {
        assertThatThrownBy(() -> service.place(ada + 1, Map.of("PEN", 1))).isInstanceOf(NotFoundException.class)
                .hasMessage("customer " + (ada + 1) + " not found");
        assertThatThrownBy(() -> service.place(ada, Map.of("NIB", 1))).isInstanceOf(NotFoundException.class)
                .hasMessage("product NIB not found");
    }

    @Test
    void anEmptyOrderOrAQuantityBelowOneIsRefused() {
        assertThatThrownBy(() -> service.place(ada, Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.place(ada, Map.of("PEN", 0))).isInstanceOf(IllegalArgumentException.class);
        assertThat(orders.count()).isZero();
    }

    @Test
    void whatACustomerSpentLeavesCancelledOrdersOut() {
        service.place(ada, Map.of("PEN", 2));
        long cancelled = service.place(ada, Map.of("INK", 1)).id();
        service.cancel(cancelled);

        assertThat(orders.spentCents(ada)).isEqualTo(300);
    }

    @Test
    void aCustomersOrdersComeInTheOrderTheyWerePlaced() {
        long first = service.place(ada, Map.of("PEN", 1)).id();
        long second = service.place(ada, Map.of("INK", 1)).id();

        assertThat(orders.findByCustomerIdOrderById(ada)).extracting(PurchaseOrder::getId).containsExactly(first, second);
    }
}
