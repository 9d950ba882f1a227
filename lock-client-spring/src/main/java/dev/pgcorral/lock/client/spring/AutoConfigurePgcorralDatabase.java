package dev.pgcorral.lock.client.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Points a Spring test context's {@code spring.datasource.*} at a clean database leased from lock-service, so the
 * application's DataSource, Flyway and JPA run against it. On a {@code @SpringBootTest}, {@code @DataJpaTest} or
 * {@code @JdbcTest} class (with {@code @AutoConfigureTestDatabase(replace = NONE)} on the last two, so Spring Boot
 * does not swap in an embedded one). lock-service is found through {@code PGCORRAL_LOCK_URL} and
 * {@code PGCORRAL_LOCK_PASSWORD}, as for the rest of lock-client.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigurePgcorralDatabase {

    /** When the tests get another database. */
    enum Refresh {
        /** One database for the context, as long as Spring keeps it (it may share the context with other test classes). */
        NEVER,
        /**
         * A fresh database before each test method: the context's DataSource beans switch to it, and the application's
         * Flyway migrates it (nothing to do when lock-service's template holds the migrations already).
         */
        BEFORE_EACH_TEST_METHOD
    }

    Refresh refresh() default Refresh.NEVER;
}
