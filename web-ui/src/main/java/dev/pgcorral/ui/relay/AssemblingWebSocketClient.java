package dev.pgcorral.ui.relay;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.springframework.http.HttpHeaders;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.client.standard.StandardWebSocketClient;
import org.springframework.web.socket.handler.WebSocketHandlerDecorator;

/**
 * A WebSocket client that takes text messages of up to {@code maxChars} characters, however they are
 * framed. A handler that wants whole messages (the STOMP client does) would otherwise get them through
 * the container's message buffer, 8 KB by default and allocated at its full size for every connection;
 * here the container hands over its pieces and they are joined as they come, so memory follows the
 * messages actually received. A longer message closes the connection (1009, too big).
 */
class AssemblingWebSocketClient extends StandardWebSocketClient {

    private final int maxChars;

    AssemblingWebSocketClient(int maxChars) {
        this.maxChars = maxChars;
    }

    @Override
    protected CompletableFuture<WebSocketSession> executeInternal(WebSocketHandler handler, HttpHeaders headers, URI uri,
            List<String> protocols, List<WebSocketExtension> extensions, Map<String, Object> attributes) {
        return super.executeInternal(new Assembler(handler, maxChars), headers, uri, protocols, extensions, attributes);
    }

    /** One per connection: joins the pieces of a text message and passes the whole message on. */
    static final class Assembler extends WebSocketHandlerDecorator {

        private final int maxChars;
        private final StringBuilder pending = new StringBuilder();

        Assembler(WebSocketHandler delegate, int maxChars) {
            super(delegate);
            this.maxChars = maxChars;
        }

        @Override
        public boolean supportsPartialMessages() {
            return true;
        }

        @Override
        public void handleMessage(WebSocketSession session, WebSocketMessage<?> message) throws Exception {
            if (!(message instanceof TextMessage text)) {
                super.handleMessage(session, message);
                return;
            }
            if (text.isLast() && pending.isEmpty()) {
                super.handleMessage(session, text);
                return;
            }
            if (pending.length() + text.getPayload().length() > maxChars) {
                pending.setLength(0);
                session.close(CloseStatus.TOO_BIG_TO_PROCESS.withReason("a message is longer than " + maxChars + " characters"));
                return;
            }
            pending.append(text.getPayload());
            if (text.isLast()) {
                TextMessage whole = new TextMessage(pending.toString());
                pending.setLength(0);
                pending.trimToSize();
                super.handleMessage(session, whole);
            }
        }
    }
}
