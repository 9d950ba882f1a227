package dev.pgcorral.lock.api.front;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgcorral.lock.api.PgflockProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * A connection's first handler: counts it among the connections still sending their request head,
 * drops it when no complete head came within the deadline (however slowly bytes trickle in), and once
 * the head is there hands the connection to pgflock's endpoints or to the servlet container.
 */
final class RequestRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final FrontContext front;
    private ScheduledFuture<?> deadline;
    /** Answered already (timed out, evicted, bad head): what else comes is dropped. */
    private boolean answered;

    RequestRouter(FrontContext front) {
        this.front = front;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        front.headWaiters().admit(channel);
        channel.closeFuture().addListener(closed -> front.headWaiters().leave(channel));
        deadline = ctx.executor().schedule(() -> refuse(ctx, 408, "Request head not received within "
                + front.headTimeout().toMillis() + " ms"), front.headTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == HeadWaiters.EVICTED) {
            refuse(ctx, 503, "Too many connections are still sending their request; try again");
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered || !(msg instanceof HttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        headArrived(ctx);
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            Throwable cause = request.decoderResult().cause();
            answered = true;
            if (cause instanceof TooLongHttpHeaderException) {
                front.replies().error(ctx.channel(), path, 431, "Request header fields too large");
            } else if (cause instanceof TooLongHttpLineException) {
                front.replies().error(ctx.channel(), null, 414, "Request line too long");
            } else {
                front.replies().error(ctx.channel(), null, 400, "Malformed request: " + cause.getMessage());
            }
            return;
        }
        ctx.pipeline().replace(this, "exchange", PgflockProtocol.serves(path)
                ? new PgflockExchange(front, path) : new TomcatProxy(front, path));
        ctx.fireChannelRead(msg);
    }

    private void headArrived(ChannelHandlerContext ctx) {
        deadline.cancel(false);
        front.headWaiters().leave(ctx.channel());
    }

    private void refuse(ChannelHandlerContext ctx, int status, String message) {
        if (answered) {
            return;
        }
        answered = true;
        headArrived(ctx);
        front.replies().error(ctx.channel(), null, status, message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection failed before its request head: {}", cause.toString());
        ctx.close();
    }
}
