package dev.pgcorral.lock.api.front;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.pgcorral.lock.api.PgflockProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import tools.jackson.databind.json.JsonMapper;

/** Complete answers written by the front; each one ends its connection. */
final class Replies {

    /** How long a connection may still send after its answer before it is closed. */
    private static final long LINGER_SECONDS = 2;

    private final JsonMapper json;

    Replies(JsonMapper json) {
        this.json = json;
    }

    void send(Channel channel, PgflockProtocol.Reply reply) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.copiedBuffer(reply.body(), StandardCharsets.UTF_8));
        response.headers()
                .set("Content-Type", reply.contentType())
                .set("Content-Length", response.content().readableBytes())
                .set("Cache-Control", "no-store")
                .set("Connection", "close");
        end(channel.writeAndFlush(response));
    }

    /**
     * An error the front answers itself: a problem document under /api and /actuator, like the servlet
     * container's own errors there, else pgflock's plain text.
     *
     * @param path the request's path; null when it could not be read
     */
    void error(Channel channel, String path, int status, String message) {
        if (path != null && (path.startsWith("/api/") || path.startsWith("/actuator"))) {
            Map<String, Object> problem = new LinkedHashMap<>();
            problem.put("type", "about:blank");
            problem.put("title", HttpResponseStatus.valueOf(status).reasonPhrase());
            problem.put("status", status);
            problem.put("detail", message);
            problem.put("instance", path);
            send(channel, new PgflockProtocol.Reply(status, "application/problem+json", json.writeValueAsString(problem)));
        } else {
            send(channel, PgflockProtocol.Reply.text(status, message));
        }
    }

    /**
     * Ends the connection once {@code lastWrite} is out. The client may still be sending (an early
     * answer to a large request): closing with unread input would reset the connection and could
     * destroy the answer, so the output is shut first and what comes in is dropped until the client
     * closes or the linger time is over.
     */
    static void end(ChannelFuture lastWrite) {
        lastWrite.addListener(written -> {
            Channel channel = lastWrite.channel();
            if (!written.isSuccess() || !(channel instanceof SocketChannel socket) || !channel.isActive()) {
                channel.close();
                return;
            }
            socket.shutdownOutput().addListener(shut -> {
                channel.config().setAutoRead(true);
                channel.eventLoop().schedule(() -> channel.close(), LINGER_SECONDS, TimeUnit.SECONDS);
            });
        });
    }
}
