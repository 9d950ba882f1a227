package dev.pgcorral.lock.client;

/**
 * lock-service's pool at one moment, as its {@code /health-check} tells it.
 *
 * @param status  {@code ok}, or what is wrong ({@code degraded}, {@code starting}, …)
 * @param total   databases in the pool
 * @param locked  databases leased now
 * @param free    databases ready to lease
 * @param waiting lock requests queued for a database
 */
public record PoolStatus(String status, int total, int locked, int free, int waiting) {
}
