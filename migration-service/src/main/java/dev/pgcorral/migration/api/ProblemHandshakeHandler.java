package dev.pgcorral.migration.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

import dev.pgcorral.common.web.ProblemJson;

/**
 * The WebSocket handshake of {@code /api/v1/ws} with its refusals of a request that is not an upgrade to WebSocket, or
 * asks for a version it does not speak, as problem documents, as every other answer of the API is (Spring writes them
 * as plain text, or with no body): they say what the request must be.
 */
final class ProblemHandshakeHandler extends DefaultHandshakeHandler {

    private static final String HOW = ": it is a WebSocket; open it with a GET that sends Upgrade: websocket, Connection: Upgrade, "
            + "Sec-WebSocket-Key and Sec-WebSocket-Version: 13";

    @Override
    protected void handleInvalidUpgradeHeader(ServerHttpRequest request, ServerHttpResponse response) throws IOException {
        refuse(request, response, HttpStatus.BAD_REQUEST, "no Upgrade: websocket header" + HOW);
    }

    @Override
    protected void handleInvalidConnectHeader(ServerHttpRequest request, ServerHttpResponse response) throws IOException {
        refuse(request, response, HttpStatus.BAD_REQUEST, "no Connection: Upgrade header" + HOW);
    }

    @Override
    protected void handleWebSocketVersionNotSupported(ServerHttpRequest request, ServerHttpResponse response) {
        super.handleWebSocketVersionNotSupported(request, response); // 426, and the versions spoken in Sec-WebSocket-Version
        try {
            refuse(request, response, HttpStatus.UPGRADE_REQUIRED, "this WebSocket version is not spoken here" + HOW);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void refuse(ServerHttpRequest request, ServerHttpResponse response, HttpStatus status, String detail) throws IOException {
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.parseMediaType(ProblemJson.CONTENT_TYPE));
        response.getBody().write(ProblemJson.render(status.value(), detail, request.getURI().getPath()).getBytes(StandardCharsets.UTF_8));
    }
}
