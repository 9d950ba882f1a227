package dev.pgcorral.lock.api.front;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

import dev.pgcorral.lock.api.ClientConnections;
import dev.pgcorral.lock.api.PgflockProtocol;

/**
 * What every connection's handlers share.
 *
 * @param workers     runs what may take longer than an event loop may be held: pgflock's answers (a restart blocks)
 * @param servlet     the servlet container every other request is passed on to
 * @param headTimeout a connection that has not sent a complete request head by then is dropped
 * @param webSockets  places for WebSocket connections passed on to the servlet container
 */
record FrontContext(PgflockProtocol pgflock, ClientConnections connections, Replies replies, HeadWaiters headWaiters,
                    Executor workers, InetSocketAddress servlet, Duration headTimeout, Semaphore webSockets) {
}
