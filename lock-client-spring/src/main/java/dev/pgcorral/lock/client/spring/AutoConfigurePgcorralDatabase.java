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
 * {@code @JdbcTest} class (the slices keep it: no embedded database is swapped in). lock-service is found through
 * {@code PGCORRAL_LOCK_URL} and {@code PGCORRAL_LOCK_PASSWORD}, as for the rest of lock-client;
 * {@code PGCORRAL_LOCK_SPRING_ENABLED=false} turns the annotation off.
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
         * A fresh database before each test method, given back after it: the context's DataSource beans reach it from
         * the test's thread, so test methods that JUnit runs at once share the context but not a database. The
         * application's Flyway migrates it, unless its schema history is the context database's already (lock-service's
         * template holds the migrations).
         */
        BEFORE_EACH_TEST_METHOD
    }

    Refresh refresh() default Refresh.NEVER;
}
