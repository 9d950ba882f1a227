package dev.pgcorral.lock.client;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body of a granted {@code GET /lock}: its first line is the connection string, and the response then stays
 * open for as long as the lease lives (lock-service ends it when the lease ends on its side). The body is complete
 * for the caller once the first line is in; what follows is read and dropped, so the server's keep-alive bytes never
 * pile up. {@link #release()} cancels the response, which closes the connection: that is the unlock.
 */
final class HeldResponse implements HttpResponse.BodySubscriber<HeldResponse> {

    private static final int MAX_LINE = 64 * 1024;

    private final CompletableFuture<HeldResponse> firstLine = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private volatile Flow.Subscription subscription;
    private volatile boolean released;
    private String text;

    /** The connection string the server sent. */
    String firstLineText() {
        return text;
    }

    /** Completes when the server ended the response or the connection broke (not when {@link #release()} closed it). */
    CompletableFuture<Void> ended() {
        return ended;
    }

    boolean released() {
        return released;
    }

    /** Closes the response, and so the lock; once only. */
    void release() {
        released = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public CompletionStage<HeldResponse> getBody() {
        return firstLine;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (released) {
            subscription.cancel();
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (firstLine.isDone()) {
            return; // keep-alive bytes after the connection string
        }
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    text = line.toString(StandardCharsets.UTF_8).strip();
                    firstLine.complete(this);
                    return;
                }
                line.write(b);
            }
        }
        if (line.size() > MAX_LINE) {
            firstLine.completeExceptionally(new LockClientException("lock-service's answer to /lock has no line end within "
                    + MAX_LINE + " bytes: is this a lock-service?"));
            release();
        }
    }

    @Override
    public void onError(Throwable failure) {
        firstLine.completeExceptionally(failure);
        ended.complete(null);
    }

    @Override
    public void onComplete() {
        firstLine.completeExceptionally(new LockClientException("lock-service ended its answer to /lock before it sent a "
                + "connection string"));
        ended.complete(null);
    }
}
