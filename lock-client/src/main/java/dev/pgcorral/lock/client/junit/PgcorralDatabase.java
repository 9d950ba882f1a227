package dev.pgcorral.lock.client.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A clean database from lock-service for a test. On a test class: each test method gets a database of its own
 * (or, with {@code scope = CLASS}, the class shares one); a parameter or field of type {@link javax.sql.DataSource},
 * {@link java.sql.Connection} or {@link dev.pgcorral.lock.client.Lease} receives it, and a {@code String} parameter or
 * field annotated with {@code @PgcorralDatabase} receives its JDBC URL. The lease's marker is the test's name, so
 * lock-service's dashboard shows which test holds which database. lock-service is found through
 * {@code PGCORRAL_LOCK_URL} and {@code PGCORRAL_LOCK_PASSWORD} (or the system properties {@code pgcorral.lock.url} and
 * {@code pgcorral.lock.password}); without them, a local lock-service on port 9191.
 * <pre>{@code
 * @PgcorralDatabase
 * class OrderRepositoryTest {
 *     @Test
 *     void savesAnOrder(DataSource db) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(PgcorralExtension.class)
public @interface PgcorralDatabase {

    /** Which tests share a database. */
    enum Scope {
        /** Every test method, every invocation of a repeated or parameterized one, has a database of its own. */
        METHOD,
        /** The test class's methods share one database, leased before the first and given back after the last. */
        CLASS
    }

    /** On a test class: who shares a database. On a field or parameter it has no effect. */
    Scope scope() default Scope.METHOD;
}
