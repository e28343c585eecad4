package org.isthmus.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * token, the method, then the endpoint. A POST's answer may come later; the connection reads nothing
 * more until it is written. Shared by every connection; it keeps no state of its own.
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
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String method = request.method().name();
        String uri = request.uri();
        Optional<AdminResponse> refused = refuse(request);
        if (refused.isPresent() || request.method().equals(HttpMethod.GET)) {
            AdminResponse response = refused.orElseGet(() -> answer(uri));
            LOG.debug("admin: {} {} from {}: {}", method, LogText.of(uri), ctx.channel().remoteAddress(),
                    response.status());
            send(ctx, version, response, keepAlive);
            return;
        }
        String body = request.content().toString(StandardCharsets.UTF_8);
        // Nothing more is read from this connection until the answer is written (HTTP/1.1 answers in order).
        ctx.channel().config().setAutoRead(false);
        CompletionStage<AdminResponse> later;
        try {
            later = path(uri).map(p -> endpoints.post(p.path(), body))
                    .orElseGet(() -> CompletableFuture.completedFuture(AdminResponse.error(400,
                            "the request target must be a path such as /api/test-im")));
        } catch (RuntimeException e) {
            LOG.warn("admin: POST {} failed: {}", LogText.of(uri), e.toString());
            later = CompletableFuture.completedFuture(AdminResponse.error(500, "internal error"));
        }
        later.whenComplete((response, error) -> ctx.executor().execute(() -> {
            AdminResponse r = response;
            if (error != null) {
                LOG.warn("admin: POST {} failed: {}", LogText.of(uri), error.toString());
                r = AdminResponse.error(500, "internal error");
            }
            LOG.debug("admin: POST {} from {}: {}", LogText.of(uri), ctx.channel().remoteAddress(), r.status());
            ctx.channel().config().setAutoRead(true);
            if (ctx.channel().isActive()) {
                send(ctx, version, r, keepAlive);
            }
        }));
    }

    /** The path and query of a request target, if it is a valid origin-form target (RFC 9112 §3.2.1). */
    private record Target(String path, Map<String, List<String>> query) {
    }

    private static Optional<Target> path(String uri) {
        if (!uri.startsWith("/")) {
            return Optional.empty();
        }
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, MAX_PARAMETERS);
            return Optional.of(new Target(decoder.path(), decoder.parameters()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The answer to a request refused before any endpoint sees it: no or a wrong token, or a method not served. */
    private Optional<AdminResponse> refuse(FullHttpRequest request) {
        // The status page's own files hold no data; every figure it shows comes through the API.
        boolean open = path(request.uri()).map(t -> endpoints.isPublic(t.path())).orElse(false);
        Optional<String> refusal = open ? Optional.empty()
                : refusal(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (refusal.isPresent()) {
            // RFC 6750 §3: the challenge names the scheme, and the error when a token was presented.
            return Optional.of(AdminResponse.error(401, "a bearer token is required").withHeader("WWW-Authenticate",
                    "Bearer realm=\"isthmus\"" + refusal.get()));
        }
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.POST)) {
            // RFC 9110 §15.5.6: 405 lists the methods the resource supports.
            return Optional.of(AdminResponse.error(405, "the admin API answers GET (and POST for /api/test-im)")
                    .withHeader("Allow", "GET"));
        }
        return Optional.empty();
    }

    private AdminResponse answer(String uri) {
        if (!uri.startsWith("/")) {
            return AdminResponse.error(400, "the request target must be a path such as /health");
        }
        Optional<Target> target = path(uri);
        if (target.isEmpty()) {
            return AdminResponse.error(400, "the request target is not a valid URI path and query");
        }
        try {
            return endpoints.get(target.get().path(), target.get().query());
        } catch (RuntimeException e) {
            LOG.warn("admin: GET {} failed: {}", LogText.of(target.get().path()), e.toString());
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
