package org.isthmus.gateway.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.AdminSettings;

/**
 * The admin HTTP server (HTTP/1.1 on Netty's codec): authenticates each request when a token is
 * configured, and hands GETs (path and query) and POSTs (path, query and body) to its {@link Endpoints};
 * other methods get 405.
 *
 * <p>Bounded (STYLE.md rule 6): the request line, the headers and any body have maximum sizes, an
 * idle connection is closed, and connections beyond the limit are answered 503 and closed at once.
 * A request the codec cannot parse gets 400 (414 or 431 when too long) and the connection is closed.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** The longest request line: method, path with query, version. */
    public static final int DEFAULT_MAX_REQUEST_LINE_BYTES = 4096;
    /** The most header bytes of one request. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 8192;
    /** The largest request body: a GET needs none, a test-im POST a small JSON object. */
    public static final int DEFAULT_MAX_BODY_BYTES = 8192;
    /** How long a connection may stay silent before it is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Connections open at once; a scraper and a few people need far fewer. */
    public static final int DEFAULT_MAX_CONNECTIONS = 32;

    /** The 503 a connection over the limit gets before it is closed (nothing of it has been read). */
    private static final byte[] TOO_MANY = ("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
            + "Retry-After: 1\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private static final long REFUSAL_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    /**
     * The bounds of the server.
     *
     * @param maxRequestLineBytes the longest request line
     * @param maxHeaderBytes      the most header bytes of a request
     * @param maxBodyBytes        the largest request body
     * @param idleTimeout         how long a silent connection is kept
     * @param maxConnections      connections open at once
     */
    public record Limits(int maxRequestLineBytes, int maxHeaderBytes, int maxBodyBytes, Duration idleTimeout,
                         int maxConnections) {

        /** The {@code DEFAULT_*} values. */
        public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_REQUEST_LINE_BYTES, DEFAULT_MAX_HEADER_BYTES,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS);

        public Limits {
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            if (maxRequestLineBytes < 64 || maxHeaderBytes < 256 || maxBodyBytes < 0 || maxConnections < 1
                    || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("admin server limits out of range: " + maxRequestLineBytes + ", "
                        + maxHeaderBytes + ", " + maxBodyBytes + ", " + idleTimeout + ", " + maxConnections);
            }
        }
    }

    /** What the server serves: the answer to a GET of {@code path} with its decoded query parameters. */
    @FunctionalInterface
    public interface Endpoints {
        /**
         * @param path  the decoded path, e.g. {@code /api/subscriptions}
         * @param query each query parameter with its values, in order
         */
        AdminResponse get(String path, Map<String, List<String>> query);

        /** Whether {@code path} is served without the token (a static file that holds no data). */
        default boolean isPublic(String path) {
            return false;
        }

        /**
         * The answer to a POST, which may take a while (it runs off the server's event loop); by default
         * 405, for a read-only API.
         *
         * @param path the decoded path, e.g. {@code /api/test-im}
         * @param body the request body, decoded as UTF-8
         */
        default CompletionStage<AdminResponse> post(String path, String body) {
            // RFC 9110 §15.5.6: 405 lists the methods the resource supports.
            return CompletableFuture.completedFuture(AdminResponse.error(405, "the admin API is read-only; use GET")
                    .withHeader("Allow", "GET"));
        }
    }

    private final AdminSettings settings;
    private final Limits limits;
    private final Endpoints endpoints;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong lastRefusalLog = new AtomicLong();
    private final EventLoopGroup group;
    private final ChannelGroup channels;
    private volatile Channel listener;

    /**
     * A server that does nothing until {@link #start()}.
     *
     * @param settings  where it listens and the token, if any
     * @param limits    its bounds
     * @param endpoints what it serves
     */
    public AdminServer(AdminSettings settings, Limits limits, Endpoints endpoints) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("isthmus-admin", true),
                NioIoHandler.newFactory());
        this.channels = new DefaultChannelGroup("isthmus-admin", group.next());
    }

    /**
     * Binds the listening socket and returns the address it is bound to once it accepts connections.
     *
     * @throws IllegalStateException when the address cannot be bound (port in use, address not local),
     *                               or the server was started or closed before
     */
    public InetSocketAddress start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            throw new IllegalStateException("the admin server was started or closed before");
        }
        AdminHandler handler = new AdminHandler(settings.token(), endpoints);
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > limits.maxConnections() || closed.get()) {
                            open.decrementAndGet();
                            warnRefused(ch);
                            ch.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY)).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        channels.add(ch);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(limits.maxRequestLineBytes())
                                        .setMaxHeaderSize(limits.maxHeaderBytes())))
                                .addLast(new HttpObjectAggregator(limits.maxBodyBytes()))
                                .addLast(handler);
                    }
                });
        ChannelFuture bound = server.bind(settings.address(), settings.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            close();
            Throwable cause = bound.cause();
            throw new IllegalStateException("cannot listen for the admin API on " + settings.address() + ":"
                    + settings.port() + ": " + (cause == null ? "unknown" : cause.getMessage()), cause);
        }
        listener = bound.channel();
        return (InetSocketAddress) listener.localAddress();
    }

    /** Logs a refused connection, at most once a minute, so a flood of them cannot flood the log. */
    private void warnRefused(Channel ch) {
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if ((last == 0 || now - last > REFUSAL_LOG_INTERVAL_NANOS) && lastRefusalLog.compareAndSet(last, now)) {
            LOG.warn("admin: connection from {} refused: {} connections are open already (further refusals "
                    + "within a minute are not logged)", ch.remoteAddress(), limits.maxConnections());
        }
    }

    /** The address the server listens on, once started and until closed. */
    public Optional<InetSocketAddress> address() {
        Channel l = listener;
        return l == null || !l.isOpen() ? Optional.empty() : Optional.of((InetSocketAddress) l.localAddress());
    }

    /** How many connections are open now. */
    public int openConnections() {
        return open.get();
    }

    /** Stops listening, closes every connection and stops the event loop; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Channel l = listener;
        if (l != null) {
            l.close().awaitUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
