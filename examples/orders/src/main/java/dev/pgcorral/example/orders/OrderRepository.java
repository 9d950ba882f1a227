package dev.pgcorral.example.orders;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

public interface OrderRepository extends JpaRepository<PurchaseOrder, Long> {

    List<PurchaseOrder> findByCustomerIdOrderById(Long customerId);

    /** What a customer spent, cancelled orders left out. */
    @Query("SELECT coalesce(sum(o.totalCents), 0) FROM PurchaseOrder o WHERE o.customer.id = ?1 AND o.status = 'PLACED'")
    long spentCents(Long customerId);
}
