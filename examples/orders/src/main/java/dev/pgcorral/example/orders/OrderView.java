package dev.pgcorral.example.orders;

import java.util.List;

/** An order as the API shows it. */
public record OrderView(long id, long customerId, PurchaseOrder.Status status, int totalCents, List<Line> lines) {

    public record Line(String sku, int quantity, int priceCents) {
    }

    static OrderView of(PurchaseOrder order) {
        return new OrderView(order.getId(), order.getCustomer().getId(), order.getStatus(), order.getTotalCents(),
                order.getLines().stream()
                        .map(line -> new Line(line.getProduct().getSku(), line.getQuantity(), line.getPriceCents()))
                        .toList());
    }
}
