package dev.pgcorral.example.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.dao.DataIntegrityViolationException;

import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase;
import dev.pgcorral.lock.client.spring.AutoConfigurePgcorralDatabase.Refresh;

@DataJpaTest
@AutoConfigurePgcorralDatabase(refresh = Refresh.BEFORE_EACH_TEST_METHOD)
class ProductRepositoryTest {

    @Autowired
    ProductRepository products;

    @BeforeEach
    void catalog() {
        products.save(new Product("PEN", "Pen", 150, 10));
        products.save(new Product("INK", "Ink", 700, 2));
        products.save(new Product("CAP", "Cap", 50, 0));
    }

    @Test
    void lowStockListsTheProductsBelowALevelBySku() {
        assertThat(products.findByStockLessThanOrderBySku(5)).extracting(Product::getSku).containsExactly("CAP", "INK");
    }

    @Test
    void aProductIsFoundBySku() {
        assertThat(products.findBySku("INK")).get().extracting(Product::getPriceCents).isEqualTo(700);
        assertThat(products.findBySku("NIB")).isEmpty();
    }

    @Test
    void theCatalogHoldsWhatThisTestAdded() {
        assertThat(products.count()).isEqualTo(3);
    }

    @Test
    void aSkuIsUnique() {
        assertThatThrownBy(() -> products.saveAndFlush(new Product("PEN", "Another pen", 100, 1)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void theDatabaseRefusesNegativeStock() {
        assertThatThrownBy(() -> products.saveAndFlush(new Product("NEG", "Negative", 100, -1)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }
}
