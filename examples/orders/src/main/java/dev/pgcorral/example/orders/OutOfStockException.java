package dev.pgcorral.example.orders;

public class OutOfStockException extends RuntimeException {

    OutOfStockException(String sku, int wanted, int inStock) {
        super(sku + ": " + wanted + " wanted, " + inStock + " in stock");
    }
}
