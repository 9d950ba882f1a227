package dev.pgcorral.example.orders;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class OrdersController {

    record NewCustomer(@NotBlank @Email String email, @NotBlank String name) {
    }

    record NewProduct(@NotBlank String sku, @NotBlank String name, @Min(0) int priceCents, @Min(0) int stock) {
    }

    record NewOrder(@NotNull Long customerId, @NotEmpty List<@Valid Line> lines) {
        record Line(@NotBlank String sku, @Min(1) int quantity) {
        }
    }

    private final CustomerRepository customers;
    private final ProductRepository products;
    private final OrderService orders;

    OrdersController(CustomerRepository customers, ProductRepository products, OrderService orders) {
        this.customers = customers;
        this.products = products;
        this.orders = orders;
    }

    @PostMapping("/customers")
    ResponseEntity<Customer> addCustomer(@Valid @RequestBody NewCustomer body) {
        Customer customer = customers.save(new Customer(body.email(), body.name()));
        return ResponseEntity.created(URI.create("/customers/" + customer.getId())).body(customer);
    }

    @PostMapping("/products")
    ResponseEntity<Product> addProduct(@Valid @RequestBody NewProduct body) {
        Product product = products.save(new Product(body.sku(), body.name(), body.priceCents(), body.stock()));
        return ResponseEntity.created(URI.create("/products/" + product.getSku())).body(product);
    }

    @GetMapping("/products/{sku}")
    Product product(@PathVariable String sku) {
        return products.findBySku(sku).orElseThrow(() -> new NotFoundException("product " + sku));
    }

    @PostMapping("/orders")
    ResponseEntity<OrderView> place(@Valid @RequestBody NewOrder body) {
        Map<String, Integer> quantities = new LinkedHashMap<>();
        body.lines().forEach(line -> quantities.merge(line.sku(), line.quantity(), Integer::sum));
        OrderView order = orders.place(body.customerId(), quantities);
        return ResponseEntity.created(URI.create("/orders/" + order.id())).body(order);
    }

    @GetMapping("/orders/{id}")
    OrderView order(@PathVariable long id) {
        return orders.view(id);
    }

    @PostMapping("/orders/{id}/cancel")
    OrderView cancel(@PathVariable long id) {
        return orders.cancel(id);
    }

    @ExceptionHandler(NotFoundException.class)
    ProblemDetail notFound(NotFoundException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler({OutOfStockException.class, IllegalStateException.class})
    ProblemDetail conflict(RuntimeException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ProblemDetail duplicate(DataIntegrityViolationException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "conflicts with what is stored (an email or SKU taken?)");
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badRequest(IllegalArgumentException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}
