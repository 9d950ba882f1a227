/**
 * Not part of the example: what {@code scripts/bench-java-tests} needs to run this suite the two other ways it is
 * compared with, and to time it. Nothing here acts unless the system property {@code orders.benchmark.way} is set.
 * <ul>
 * <li>{@code template}: the tests make their own databases on a PostgreSQL server, {@code CREATE DATABASE … TEMPLATE}
 * a template that Flyway migrated once, one per test method, dropped after it ({@link TemplatePerTest}).</li>
 * <li>{@code testcontainers}: a PostgreSQL container per test class, and per test method a clean schema (Flyway's
 * clean, then migrate) ({@link ContainerPerClass}).</li>
 * </ul>
 * Either way, {@code pgcorral.lock.spring.enabled=false} turns {@code @AutoConfigurePgcorralDatabase} off.
 */
package dev.pgcorral.example.orders.benchmark;
