package dev.pgcorral.migration.api;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import dev.pgcorral.common.web.ProblemJson;

/**
 * The WebSocket handshake with its refusals as problem documents, as every other answer of the API is (Spring's own
 * are plain text): a request to {@code /api/v1/ws} that is not an upgrade to WebSocket is told what it must be.
 */
final class ProblemHandshakeHandler extends DefaultHandshakeHandler {

    private static final String HOW = ": it is a WebSocket; open it with a GET that sends Upgrade: websocket and Connection: Upgrade";

    @Override
    protected void handleInvalidUpgradeHeader(ServerHttpRequest request, ServerHttpResponse response) throws java.io.IOException {
        refuse(request, response, "no Upgrade: websocket header" + HOW);
    }

    @Override
    protected void handleInvalidConnectHeader(ServerHttpRequest request, ServerHttpResponse response) throws java.io.IOException {
        refuse(request, response, "no Connection: Upgrade header" + HOW);
    }

    private static void refuse(ServerHttpRequest request, ServerHttpResponse response, String detail) throws java.io.IOException {
        response.setStatusCode(HttpStatus.BAD_REQUEST);
        response.getHeaders().setContentType(MediaType.parseMediaType(ProblemJson.CONTENT_TYPE));
        response.getBody().write(ProblemJson.render(400, detail, request.getURI().getPath()).getBytes(StandardCharsets.UTF_8));
    }
}
