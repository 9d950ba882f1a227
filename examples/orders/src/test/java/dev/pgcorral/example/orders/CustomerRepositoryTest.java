package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.dao.DataIntegrityViolationException;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

/** A JPA slice: repositories and Flyway only, on a leased PostgreSQL instead of an embedded database. */
@DataJpaTest
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class CustomerRepositoryTest {

    @Autowired
    CustomerRepository customers;

    @Test
    void aCustomerIsFoundByEmail() {
        customers.save(new Customer("ada@example.com", "Ada"));

        assertThat(customers.findByEmail("ada@example.com")).get().extracting(Customer::getName).isEqualTo("Ada");
        assertThat(customers.findByEmail("alan@example.com")).isEmpty();
    }

    @Test
    void anEmailBelongsToOneCustomer() {
        customers.saveAndFlush(new Customer("ada@example.com", "Ada"));

        assertThatThrownBy(() -> customers.saveAndFlush(new Customer("ada@example.com", "Ada again")))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void everyTestStartsWithNoCustomers() {
        assertThat(customers.count()).isZero();
        customers.save(new Customer("grace@example.com", "Grace"));
        assertThat(customers.count()).isEqualTo(1);
    }

    @Test
    void idsComeFromAFreshSequence() {
        assertThat(customers.save(new Customer("first@example.com", "First")).getId()).isEqualTo(1);
    }

    @Test
    void aNameIsRequired() {
        assertThatThrownBy(() -> customers.saveAndFlush(new Customer("nameless@example.com", null)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }
}
