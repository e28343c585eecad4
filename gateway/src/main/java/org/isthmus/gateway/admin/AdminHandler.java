package org.isthmus.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.xmpp.LogText;

/**
 * One request at a time per connection, as the aggregator hands them over: the codec's verdict, the
 * token, the method, then the endpoint. Shared by every connection; it keeps no state of its own.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    /** RFC 7235 §2.1: the scheme is matched case-insensitively; one space separates the credentials. */
    private static final String BEARER = "Bearer ";
    /** The most query parameters decoded from one request. */
    private static final int MAX_PARAMETERS = 16;

    private final Optional<byte[]> token;
    private final AdminServer.Endpoints endpoints;

    AdminHandler(Optional<String> token, AdminServer.Endpoints endpoints) {
        this.token = token.map(t -> t.getBytes(StandardCharsets.US_ASCII));
        this.endpoints = endpoints;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            int status = cause instanceof TooLongHttpLineException ? 414
                    : cause instanceof TooLongHttpHeaderException ? 431 : 400;
            LOG.debug("admin: unreadable request from {}: {}", ctx.channel().remoteAddress(),
                    LogText.of(String.valueOf(cause)));
            // The codec's stand-in for a request it could not read claims HTTP/1.0; answer as the server speaks.
            send(ctx, HttpVersion.HTTP_1_1, AdminResponse.error(status, status == 400 ? "malformed request"
                    : "request too large"), false);
            return;
        }
        AdminResponse response = answer(request);
        LOG.debug("admin: {} {} from {}: {}", request.method(), LogText.of(request.uri()),
                ctx.channel().remoteAddress(), response.status());
        send(ctx, request.protocolVersion(), response, HttpUtil.isKeepAlive(request));
    }

    private AdminResponse answer(FullHttpRequest request) {
        String uri = request.uri();
        String path = null;
        Map<String, List<String>> query = Map.of();
        AdminResponse badTarget = null;
        if (!uri.startsWith("/")) {
            badTarget = AdminResponse.error(400, "the request target must be a path such as /health");
        } else {
            try {
                QueryStringDecoder decoder = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_PARAMETERS);
                path = decoder.path();
                query = decoder.parameters();
            } catch (IllegalArgumentException e) {
                badTarget = AdminResponse.error(400, "the request target is not a valid URI path and query");
            }
        }
        // The status page's own files hold no data; every figure it shows comes through the API below.
        boolean open = path != null && endpoints.isPublic(path);
        Optional<String> refusal = open ? Optional.empty()
                : refusal(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (refusal.isPresent()) {
            // RFC 6750 §3: the challenge names the scheme, and the error when a token was presented.
            return AdminResponse.error(401, "a bearer token is required").withHeader("WWW-Authenticate",
                    "Bearer realm=\"isthmus\"" + refusal.get());
        }
        if (!request.method().equals(HttpMethod.GET)) {
            // RFC 9110 §15.5.6: 405 lists the methods the resource supports.
            return AdminResponse.error(405, "the admin API is read-only; use GET").withHeader("Allow", "GET");
        }
        if (badTarget != null) {
            return badTarget;
        }
        try {
            return endpoints.get(path, query);
        } catch (RuntimeException e) {
            LOG.warn("admin: GET {} failed: {}", LogText.of(path), e.toString());
            return AdminResponse.error(500, "internal error");
        }
    }

    /** Why the request is not authorized (the RFC 6750 error attribute, possibly empty), or empty if it is. */
    private Optional<String> refusal(String authorization) {
        if (token.isEmpty()) {
            return Optional.empty();
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of("");
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.US_ASCII);
        // A comparison whose time does not depend on where the tokens differ.
        return MessageDigest.isEqual(given, token.get()) ? Optional.empty() : Optional.of(", error=\"invalid_token\"");
    }

    private static void send(ChannelHandlerContext ctx, HttpVersion version, AdminResponse r, boolean keepAlive) {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("x-content-type-options", "nosniff");
        r.headers().forEach(response.headers()::set);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            LOG.debug("admin: closing idle connection from {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin: connection from {} closed: {}", ctx.channel().remoteAddress(), LogText.of(cause.toString()));
        ctx.close();
    }
}
