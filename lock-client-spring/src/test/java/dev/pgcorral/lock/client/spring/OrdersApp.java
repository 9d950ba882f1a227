package dev.pgcorral.lock.client.spring;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application as small as a Spring Boot one gets: a DataSource, Flyway (db/migration) and a JdbcTemplate. */
@SpringBootApplication
class OrdersApp {
}
