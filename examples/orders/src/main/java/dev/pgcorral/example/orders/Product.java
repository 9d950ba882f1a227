package dev.pgcorral.example.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

@Entity
public class Product {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String sku;
    private String name;
    private int priceCents;
    private int stock;

    protected Product() {
    }

    public Product(String sku, String name, int priceCents, int stock) {
        this.sku = sku;
        this.name = name;
        this.priceCents = priceCents;
        this.stock = stock;
    }

    /** Takes {@code quantity} from the stock; refused when there is not that much. */
    void take(int quantity) {
        if (quantity > stock) {
            throw new OutOfStockException(sku, quantity, stock);
        }
        stock -= quantity;
    }

    void giveBack(int quantity) {
        stock += quantity;
    }

    public Long getId() {
        return id;
    }

    public String getSku() {
        return sku;
    }

    public String getName() {
        return name;
    }

    public int getPriceCents() {
        return priceCents;
    }

    public int getStock() {
        return stock;
    }
}
