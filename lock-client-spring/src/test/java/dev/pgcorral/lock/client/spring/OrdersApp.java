package dev.pgcorral.lock.client.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

import dev.pgcorral.lock.client.LockServiceUnderTestAccess;

/** An application as small as a Spring Boot one gets: a DataSource, Flyway (db/migration) and a JdbcTemplate. */
@SpringBootApplication
class OrdersApp {

    /** Points lock-client at the test lock-service before any Spring context asks for a database. */
    static void useTestLockService() {
        try {
            LockServiceUnderTestAccess.useFromEnvironment();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
