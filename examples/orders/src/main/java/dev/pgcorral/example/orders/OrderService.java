package dev.pgcorral.example.orders;

import java.util.Map;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class OrderService {

    private final CustomerRepository customers;
    private final ProductRepository products;
    private final OrderRepository orders;

    OrderService(CustomerRepository customers, ProductRepository products, OrderRepository orders) {
        this.customers = customers;
        this.products = products;
        this.orders = orders;
    }

    /** Places an order for quantities by SKU: all of it, or nothing when one product lacks the stock. */
    @Transactional
    public OrderView place(long customerId, Map<String, Integer> quantitiesBySku) {
        if (quantitiesBySku.isEmpty()) {
            throw new IllegalArgumentException("an order needs at least one line");
        }
        Customer customer = customers.findById(customerId).orElseThrow(() -> new NotFoundException("customer " + customerId));
        PurchaseOrder order = new PurchaseOrder(customer);
        quantitiesBySku.forEach((sku, quantity) -> {
            if (quantity == null || quantity < 1) {
                throw new IllegalArgumentException(sku + ": a quantity is at least 1");
            }
            order.add(products.findBySku(sku).orElseThrow(() -> new NotFoundException("product " + sku)), quantity);
        });
        return OrderView.of(orders.save(order));
    }

    /** Cancels an order and gives its stock back. */
    @Transactional
    public OrderView cancel(long orderId) {
        PurchaseOrder order = get(orderId);
        order.cancel();
        return OrderView.of(order);
    }

    @Transactional(readOnly = true)
    public OrderView view(long orderId) {
        return OrderView.of(get(orderId));
    }

    private PurchaseOrder get(long orderId) {
        return orders.findById(orderId).orElseThrow(() -> new NotFoundException("order " + orderId));
    }
}
