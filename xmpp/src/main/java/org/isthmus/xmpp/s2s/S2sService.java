package org.isthmus.xmpp.s2s;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.XmppHandler;
import org.isthmus.xmpp.stanza.IqResponder;
import org.isthmus.xmpp.stanza.MessageCodec;
import org.isthmus.xmpp.stanza.PresenceCodec;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;

/**
 * Isthmus as an XMPP server of its own domains (RFC 6120 §4–§6, §10.4): accepts peers' streams on the
 * s2s port (STARTTLS, and XEP-0368 direct TLS if configured), delivers their messages and presence
 * to the {@link XmppHandler}, and sends the gateway's stanzas over one outbound stream per (local,
 * peer) domain pair, opened on demand, reused, and closed when idle.
 *
 * <p>Up-calls: {@link XmppHandler#onMessage} for each inbound message, {@link XmppHandler#onPresence}
 * and {@link XmppHandler#onSubscription} for each inbound presence, and
 * {@link XmppHandler#onLinkStateChanged} with each local domain, up once the listener is bound and
 * down at {@link #close()}. Peer streams coming and going are not link changes: a peer that cannot
 * be reached fails only the stanzas for it.
 *
 * <p>A peer that refuses our SASL EXTERNAL, with {@code <failure/>} or by ending the stream (ejabberd
 * 23.01 drops the connection when our certificate carries an XmppAddr), is tried once more on a new
 * connection with dialback only, if its policy accepts dialback; the stanzas queued for it wait for
 * that stream, and the peer's domain is remembered for {@link #EXTERNAL_REFUSED_MEMORY_MILLIS}, so
 * the streams opened meanwhile go straight to dialback.
 *
 * <p>Outbound streams are pinged (XEP-0199 §4.3) after {@link S2sSettings#pingInterval()} without a
 * byte from the peer. The answer comes back on the peer's own stream to us (RFC 6120 §4.5: one stream
 * per direction), so an unanswered ping closes the outbound stream only while such a stream exists;
 * otherwise the stream is left to TCP to fail (see {@link OutboundStream#onReaderIdle}). Pings to our
 * domains are answered on our stream to the peer.
 *
 * <p>All connection state lives on one event-loop thread (a daemon), so it needs no locks.
 */
public final class S2sService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S2sService.class);

    /** After a peer could not be reached, stanzas for it fail at once for this long (RFC 6120 §10.4.3). */
    static final long RETRY_AFTER_MILLIS = 5000;
    /** Outbound bytes not yet taken by a peer above which stanzas for it are refused (see ComponentLink). */
    static final int OUTBOUND_QUEUE_HIGH_BYTES = 1024 * 1024;
    static final int OUTBOUND_QUEUE_LOW_BYTES = 512 * 1024;
    /** Outbound silence after which a whitespace keepalive is sent (RFC 6120 §4.6.1). */
    static final long KEEPALIVE_MILLIS = 60_000;
    private static final long SHUTDOWN_WAIT_MILLIS = 2000;
    /**
     * How long a peer that refused our SASL EXTERNAL gets dialback at once. Long enough to spare each
     * new stream a failed attempt (and ejabberd a crash); short enough to notice a fixed peer.
     */
    static final long EXTERNAL_REFUSED_MEMORY_MILLIS = 60 * 60_000;

    /** Replaced, policies and static routes only, by {@link #updatePolicy}; the rest stays as constructed. */
    private volatile S2sSettings settings;
    private final XmppHandler handler;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Optional<TlsContexts> tls;
    private final DialbackKey dialbackKey;
    private final Map<String, IqResponder> responders = new HashMap<>();
    private final PeerResolver resolver;
    private final ChannelGroup channels;
    private final Context context = new Context();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Inbound connections open now, bounded by {@link S2sSettings#maxInboundStreams()}. */
    private final AtomicInteger inboundStreams = new AtomicInteger();
    /** Event loop only: the outbound route of each (local, peer) pair. */
    private final Map<String, Route> routes = new HashMap<>();
    /** Event loop only: peer domain to the System.nanoTime() until which it gets dialback only. */
    private final Map<String, Long> externalRefused = new HashMap<>();
    private final Bootstrap bootstrap;
    private volatile Channel listener;
    private volatile Channel directTlsListener;

    /**
     * A service that does nothing until {@link #start()}. Reads the TLS files now, so a bad
     * certificate or key fails here with {@link XmppException}.
     */
    public S2sService(S2sSettings settings, XmppHandler handler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.tls = settings.tls().map(TlsContexts::load);
        this.dialbackKey = new DialbackKey(settings.dialbackSecret());
        for (String domain : settings.localDomains()) {
            responders.put(domain, new IqResponder(domain));
        }
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("isthmus-s2s", true),
                NioIoHandler.newFactory());
        this.loop = group.next();
        this.channels = new DefaultChannelGroup("isthmus-s2s", loop);
        this.resolver = new PeerResolver(() -> this.settings, loop);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .option(ChannelOption.SO_KEEPALIVE, Boolean.TRUE)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(OUTBOUND_QUEUE_LOW_BYTES, OUTBOUND_QUEUE_HIGH_BYTES));
        if (settings.dnsLookups()) {
            // Host names from SRV records are resolved without blocking the event loop.
            b.resolver(new DnsAddressResolverGroup(NioDatagramChannel.class,
                    DnsServerAddressStreamProviders.platformDefault()));
        }
        this.bootstrap = b;
    }

    /**
     * Binds the listeners and returns once they accept connections; fails with {@link XmppException}
     * when a port cannot be bound. Tells the handler that each local domain is up.
     */
    public void start() {
        if (closed.get()) {
            throw new XmppException("the s2s service is closed");
        }
        if (!started.compareAndSet(false, true)) {
            return;
        }
        listener = bind(settings.listenPort(), false);
        if (settings.directTlsPort().isPresent()) {
            directTlsListener = bind(settings.directTlsPort().getAsInt(), true);
        }
        LOG.info("XMPP s2s: serving {} on {}{}", settings.localDomains(), listener.localAddress(),
                directTlsListener == null ? "" : " and " + directTlsListener.localAddress() + " (direct TLS)");
        for (String domain : settings.localDomains()) {
            notifyHandler(domain, true, "accepting server-to-server streams on " + listener.localAddress());
        }
    }

    private Channel bind(int port, boolean directTls) {
        ServerBootstrap server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .childOption(ChannelOption.SO_KEEPALIVE, Boolean.TRUE)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(OUTBOUND_QUEUE_LOW_BYTES, OUTBOUND_QUEUE_HIGH_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (closed.get()) {
                            ch.close();
                            return;
                        }
                        if (inboundStreams.get() >= settings.maxInboundStreams()) {
                            refuseInbound(ch, directTls);
                            return;
                        }
                        inboundStreams.incrementAndGet();
                        ch.closeFuture().addListener(f -> inboundStreams.decrementAndGet());
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (directTls) {
                            p.addLast(S2sStream.TLS_HANDLER, tls.orElseThrow().serverHandler(ch.alloc(), false));
                        }
                        addStreamHandlers(p, new InboundStream(context));
                    }
                });
        ChannelFuture bound = server.bind(settings.listenHost(), port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new XmppException("cannot listen for s2s streams on " + settings.listenHost() + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return bound.channel();
    }

    /**
     * One connection more than {@link S2sSettings#maxInboundStreams()}: on the STARTTLS port our
     * header, {@code <resource-constraint/>} (RFC 6120 §4.9.3.15: the server lacks the resources to
     * serve the stream; §4.9.1.2: the header goes first) and the close; on the direct TLS port, where
     * nothing may precede TLS (XEP-0368), the close alone. Either way it holds nothing of ours.
     */
    private void refuseInbound(SocketChannel ch, boolean directTls) {
        LOG.warn("XMPP s2s: refused a connection from {}: {} inbound streams already open",
                ch.remoteAddress(), settings.maxInboundStreams());
        if (directTls) {
            ch.close();
            return;
        }
        String local = settings.localDomains().stream().sorted().findFirst().orElseThrow();
        String refusal = S2sStream.header(local, Optional.empty(), Optional.empty())
                + StreamError.of(StreamErrorCondition.RESOURCE_CONSTRAINT,
                        "too many inbound streams (" + settings.maxInboundStreams() + ")").toXml()
                + S2sStream.CLOSE_TAG;
        ch.writeAndFlush(ByteBufUtil.writeUtf8(ch.alloc(), refusal)).addListener(ChannelFutureListener.CLOSE);
    }

    private void addStreamHandlers(ChannelPipeline p, S2sStream stream) {
        // Only our outbound streams ping; the idle close is the stream's own (it ignores keepalives).
        long readerIdle = stream instanceof OutboundStream ? settings.pingInterval().toMillis() : 0;
        p.addLast(new IdleStateHandler(readerIdle, KEEPALIVE_MILLIS, 0, TimeUnit.MILLISECONDS));
        p.addLast(S2sStream.DECODER, S2sStream.newDecoder(settings));
        p.addLast(stream);
    }

    /** The address of the STARTTLS listener (useful with port 0); fails before {@link #start()}. */
    public InetSocketAddress localAddress() {
        Channel l = listener;
        if (l == null) {
            throw new XmppException("the s2s service is not started");
        }
        return (InetSocketAddress) l.localAddress();
    }

    /** The address of the XEP-0368 direct TLS listener, if there is one. */
    public Optional<InetSocketAddress> directTlsAddress() {
        return Optional.ofNullable(directTlsListener).map(c -> (InetSocketAddress) c.localAddress());
    }

    /**
     * Sends a message to its {@code to} domain. The future completes when the stanza is written to
     * the peer's authenticated stream, and fails with {@link XmppException}: at once when the message
     * is not from a local domain, is to a local or refused domain, or the peer failed within the last
     * few seconds; with {@code remote-server-not-found} when the peer cannot be resolved or refuses
     * us, {@code remote-server-timeout} when no stream can be negotiated (RFC 6120 §10.4.3), and
     * {@code resource-constraint} when too many stanzas wait for the peer.
     */
    public CompletableFuture<Void> send(XmppMessage message) {
        Objects.requireNonNull(message, "message");
        return send("message", message.id(), message.from(), message.to(),
                () -> MessageCodec.toXml(message, Namespaces.SERVER, Namespaces.SERVER));
    }

    /**
     * Sends an availability presence (RFC 6121 §4.7) to its {@code to} domain, with the semantics of
     * {@link #send(XmppMessage)}.
     */
    public CompletableFuture<Void> send(XmppPresence presence) {
        Objects.requireNonNull(presence, "presence");
        return send("presence", presence.id(), presence.from(), presence.to(),
                () -> XmlWriter.toXml(PresenceCodec.toElement(presence, Namespaces.SERVER), Namespaces.SERVER));
    }

    /**
     * Sends a subscription stanza or probe (RFC 6121 §3, §4.3), or the {@code unavailable} or
     * {@code error} presence the subscription layer answers with, to its {@code to} domain, with the
     * semantics of {@link #send(XmppMessage)}.
     */
    public CompletableFuture<Void> send(XmppSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        return send("presence", subscription.id(), subscription.from(), subscription.to(),
                () -> XmlWriter.toXml(PresenceCodec.toElement(subscription, Namespaces.SERVER), Namespaces.SERVER));
    }

    /**
     * The send path of every stanza kind: the checks, one serialization, and the hand-over to the
     * event loop. {@code kind} is the element name, for errors and logs; {@code stanza} writes the
     * stanza as XML in the stream's namespace.
     */
    private CompletableFuture<Void> send(String kind, Optional<String> id, Jid from, Jid to,
                                         Supplier<String> stanza) {
        String what = kind + " id=" + id.orElse("-");
        String local = from.domain();
        String peer = to.domain();
        if (closed.get() || !started.get()) {
            return failed("the s2s service is not running; " + what + " not sent", null);
        }
        if (!settings.localDomains().contains(local)) {
            return failed(what + " from " + from + " is not from a local domain " + settings.localDomains(), null);
        }
        if (settings.localDomains().contains(peer)) {
            return failed(what + " is to a local domain " + peer + "; not sent over s2s", null);
        }
        if (!settings.isPeerAllowed(peer)) {
            return failed("federation with " + peer + " is not allowed; " + what + " not sent",
                    StanzaErrorCondition.NOT_ALLOWED);
        }
        String xml = stanza.get();
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            loop.execute(() -> enqueue(local, peer, new Pending(what, xml, result)));
        } catch (RejectedExecutionException e) {
            return failed("the s2s service is shutting down; " + what + " not sent", null);
        }
        return result;
    }

    private static CompletableFuture<Void> failed(String why, StanzaErrorCondition condition) {
        return CompletableFuture.failedFuture(new XmppException(why, condition, null));
    }

    /**
     * Applies the partner policy of {@code reloaded} (default and per-peer policies, allowed and denied
     * peers; nothing else of it) from now on: a configuration reload. Streams with a peer that is now
     * refused are ended with a {@code <policy-violation/>} stream error (RFC 6120 §4.9.3.14), in both
     * directions, and the stanzas queued for it fail with {@code not-allowed}; streams with peers still
     * allowed go on, and new ones are negotiated under the new policy. The static routes of
     * {@code reloaded} replace the running ones too: a peer is connected to at its new address from its
     * next connection on (a stream open now goes on until it closes).
     */
    public void updatePolicy(S2sSettings reloaded) {
        Objects.requireNonNull(reloaded, "reloaded");
        Map<String, PeerAddress> before = settings.staticRoutes();
        settings = settings.withPoliciesOf(reloaded).withStaticRoutes(reloaded.staticRoutes());
        Set<String> rerouted = new HashSet<>(before.keySet());
        rerouted.addAll(reloaded.staticRoutes().keySet());
        rerouted.removeIf(domain -> Objects.equals(before.get(domain), reloaded.staticRoutes().get(domain)));
        if (closed.get()) {
            return;
        }
        try {
            loop.execute(() -> {
                // A peer that failed at its old address is tried at its new one at once, not after the backoff.
                routes.values().stream().filter(r -> rerouted.contains(r.peer)).forEach(r -> r.retryAfterNanos = 0);
                endRefusedStreams();
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("XMPP s2s: shutting down; no stream checked against the new policy");
        }
    }

    /** Event loop: ends the streams and routes of peers the policy no longer allows. */
    private void endRefusedStreams() {
        S2sSettings now = settings;
        for (Channel ch : channels) {
            S2sStream stream = ch.pipeline().get(S2sStream.class);
            if (stream == null || !ch.isActive()) {
                continue;
            }
            Optional<String> refused = Optional.empty();
            if (stream instanceof InboundStream in) {
                refused = in.peerDomains().stream().filter(d -> !now.isPeerAllowed(d)).findFirst();
            } else if (stream instanceof OutboundStream out && !now.isPeerAllowed(out.peerDomain())) {
                refused = Optional.of(out.peerDomain());
            }
            if (refused.isPresent()) {
                LOG.info("XMPP s2s: federation with {} is no longer allowed; ending its stream", refused.get());
                stream.fail(StreamError.of(StreamErrorCondition.POLICY_VIOLATION,
                        "federation with " + refused.get() + " is not allowed"));
            }
        }
        routes.values().removeIf(route -> {
            if (now.isPeerAllowed(route.peer)) {
                return false;
            }
            route.failAll(new XmppException("federation with " + route.peer + " is not allowed",
                    StanzaErrorCondition.NOT_ALLOWED, null));
            return true;
        });
    }

    /**
     * Ends every stream with its closing tag (RFC 6120 §4.4), fails stanzas still queued, closes the
     * listeners and stops the thread. Idempotent; returns within a few seconds.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onLoop = loop.inEventLoop();
        CompletableFuture<Void> streamsClosed = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                for (Route route : routes.values()) {
                    route.failAll(new XmppException("the s2s service is shutting down",
                            StanzaErrorCondition.REMOTE_SERVER_TIMEOUT, null));
                }
                routes.clear();
                for (Channel ch : channels) {
                    S2sStream stream = ch.pipeline().get(S2sStream.class);
                    if (stream != null && ch.isActive()) {
                        stream.closeStream("Isthmus is shutting down");
                    } else {
                        ch.close();
                    }
                }
                channels.newCloseFuture().addListener(f -> streamsClosed.complete(null));
            });
            if (!onLoop) {
                streamsClosed.get(S2sStream.CLOSE_WAIT_MILLIS + SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("XMPP s2s: not every stream closed cleanly", e);
        }
        for (Channel l : new Channel[] {listener, directTlsListener}) {
            if (l != null) {
                l.close().awaitUninterruptibly(SHUTDOWN_WAIT_MILLIS);
            }
        }
        resolver.close();
        var shutdown = group.shutdownGracefully(0, SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (!onLoop) {
            shutdown.awaitUninterruptibly(SHUTDOWN_WAIT_MILLIS * 2);
        }
        if (started.get()) {
            for (String domain : settings.localDomains()) {
                notifyHandler(domain, false, "the s2s service was closed");
            }
        }
        LOG.info("XMPP s2s: closed");
    }

    private void notifyHandler(String domain, boolean up, String reason) {
        try {
            handler.onLinkStateChanged(domain, up, reason);
        } catch (RuntimeException e) {
            LOG.warn("XMPP s2s: the gateway failed on a state change of {}", domain, e);
        }
    }

    // --- event loop only below ---

    private void enqueue(String local, String peer, Pending pending) {
        if (closed.get()) {
            pending.fail(new XmppException("the s2s service is shutting down", StanzaErrorCondition.REMOTE_SERVER_TIMEOUT,
                    null));
            return;
        }
        Route route = routes.computeIfAbsent(local + ' ' + peer, k -> new Route(local, peer));
        if (route.stream != null && route.stream.isUp()) {
            route.write(pending);
            return;
        }
        if (route.stream == null && !route.connecting && System.nanoTime() < route.retryAfterNanos) {
            pending.fail(route.lastFailure);
            return;
        }
        if (route.queue.size() >= settings.maxQueuedStanzas()) {
            pending.fail(new XmppException("too many stanzas wait for the stream to " + peer,
                    StanzaErrorCondition.RESOURCE_CONSTRAINT, null));
            return;
        }
        route.queue.add(pending);
        if (!route.connecting) {
            connect(route);
        }
    }

    private void connect(Route route) {
        route.connecting = true;
        // A stream still set here is ending (an idle close in progress): its end must not fail what
        // now waits for the new stream.
        route.stream = null;
        LOG.debug("XMPP s2s: opening a stream {} -> {}", route.local, route.peer);
        resolver.resolve(route.peer).whenComplete((addresses, error) -> loop.execute(() -> {
            if (error != null || addresses.isEmpty()) {
                route.failed(new XmppException("no server found for " + route.peer
                        + (error == null ? "" : ": " + error.getMessage()), StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND,
                        error));
                return;
            }
            tryAddress(route, addresses, 0, "");
        }));
    }

    private void tryAddress(Route route, List<PeerAddress> addresses, int index, String errors) {
        if (closed.get()) {
            return;
        }
        if (index >= addresses.size()) {
            route.failed(new XmppException("cannot connect to " + route.peer + " at " + addresses + ":" + errors,
                    StanzaErrorCondition.REMOTE_SERVER_TIMEOUT, null));
            return;
        }
        PeerAddress address = addresses.get(index);
        OutboundStream stream = new OutboundStream(context, route.local, route.peer, address,
                new OutboundStream.Purpose.Deliver(), refusesExternal(route.peer));
        route.stream = stream;
        open(address, route.peer, stream).addListener((ChannelFuture f) -> {
            if (!f.isSuccess() && route.stream == stream) {
                route.stream = null;
                tryAddress(route, addresses, index + 1, errors + " " + address + ": " + f.cause().getMessage() + ";");
            }
        });
    }

    private ChannelFuture open(PeerAddress address, String peerDomain, OutboundStream stream) {
        return bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                channels.add(ch);
                if (address.directTls()) {
                    if (tls.isEmpty()) {
                        ch.close();
                        return;
                    }
                    ch.pipeline().addLast(S2sStream.TLS_HANDLER,
                            tls.get().clientHandler(ch.alloc(), peerDomain, address.port()));
                }
                addStreamHandlers(ch.pipeline(), stream);
            }
        }).connect(address.host(), address.port());
    }

    private CompletableFuture<S2sContext.Verification> verifyWithAuthoritative(String receiving, String originating,
                                                                            String streamId, String key) {
        CompletableFuture<S2sContext.Verification> result = new CompletableFuture<>();
        resolver.resolve(originating).whenComplete((addresses, error) -> loop.execute(() -> {
            if (error != null || addresses.isEmpty() || closed.get()) {
                result.complete(S2sContext.Verification.REMOTE_CONNECTION_FAILED);
                return;
            }
            PeerAddress address = addresses.get(0);
            OutboundStream stream = new OutboundStream(context, receiving, originating, address,
                    new OutboundStream.Purpose.Verify(streamId, key, result), false);
            open(address, originating, stream).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    result.complete(S2sContext.Verification.REMOTE_CONNECTION_FAILED);
                }
            });
        }));
        return result;
    }

    /** Whether the peer refused our SASL EXTERNAL recently, so that its streams use dialback only. */
    private boolean refusesExternal(String peer) {
        Long until = externalRefused.get(peer);
        if (until == null) {
            return false;
        }
        if (System.nanoTime() - until < 0) {
            return true;
        }
        externalRefused.remove(peer);
        return false;
    }

    private void rememberExternalRefused(String peer) {
        long now = System.nanoTime();
        externalRefused.values().removeIf(until -> now - until >= 0);
        externalRefused.put(peer, now + TimeUnit.MILLISECONDS.toNanos(EXTERNAL_REFUSED_MEMORY_MILLIS));
    }

    /**
     * A stanza waiting for its stream, with the future the gateway holds; {@code what} names it in
     * errors, e.g. {@code message id=m1}.
     */
    private record Pending(String what, String xml, CompletableFuture<Void> future) {
        void fail(XmppException cause) {
            future.completeExceptionally(new XmppException(cause.getMessage() + "; " + what + " not sent",
                    cause.condition().orElse(null), cause.getCause()));
        }
    }

    /** The outbound state of one (local, peer) pair; event loop only. */
    private final class Route {
        final String local;
        final String peer;
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        OutboundStream stream;
        boolean connecting;
        long retryAfterNanos;
        XmppException lastFailure;

        Route(String local, String peer) {
            this.local = local;
            this.peer = peer;
        }

        void write(Pending pending) {
            Channel channel = stream.channel();
            if (!channel.isWritable()) {
                pending.fail(new XmppException("outbound queue to " + peer + " is full (the peer is not reading)",
                        StanzaErrorCondition.RESOURCE_CONSTRAINT, null));
                return;
            }
            channel.writeAndFlush(ByteBufUtil.writeUtf8(channel.alloc(), pending.xml())).addListener(f -> {
                if (f.isSuccess()) {
                    pending.future().complete(null);
                } else {
                    pending.fail(new XmppException("write to " + peer + " failed",
                            StanzaErrorCondition.REMOTE_SERVER_TIMEOUT, f.cause()));
                }
            });
        }

        void up() {
            connecting = false;
            while (!queue.isEmpty()) {
                write(queue.poll());
            }
        }

        void failed(XmppException failure) {
            connecting = false;
            stream = null;
            lastFailure = failure;
            retryAfterNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_AFTER_MILLIS);
            LOG.warn("XMPP s2s: {} -> {} unavailable: {}", local, peer, failure.getMessage());
            failAll(failure);
        }

        void failAll(XmppException failure) {
            while (!queue.isEmpty()) {
                queue.poll().fail(failure);
            }
        }
    }

    /** The service as its streams see it; event loop only. */
    private final class Context implements S2sContext {

        @Override
        public S2sSettings settings() {
            return settings;
        }

        @Override
        public Optional<TlsContexts> tls() {
            return tls;
        }

        @Override
        public DialbackKey dialbackKey() {
            return dialbackKey;
        }

        @Override
        public IqResponder responder(String localDomain) {
            return responders.get(localDomain);
        }

        @Override
        public void deliver(XmppMessage message) {
            upcall("message", message.id(), () -> handler.onMessage(message));
        }

        @Override
        public void deliver(XmppPresence presence) {
            upcall("presence", presence.id(), () -> handler.onPresence(presence));
        }

        @Override
        public void deliver(XmppSubscription subscription) {
            upcall("presence", subscription.id(), () -> handler.onSubscription(subscription));
        }

        /** A failure of the gateway is its own: logged, and the stream goes on. */
        private void upcall(String kind, Optional<String> id, Runnable call) {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.warn("XMPP s2s: the gateway failed on {} id={}", kind, id.orElse("-"), e);
            }
        }

        @Override
        public void reply(String localDomain, String peerDomain, XmlElement stanza) {
            String id = stanza.attribute("id").orElse("-");
            CompletableFuture<Void> sent = new CompletableFuture<>();
            sent.whenComplete((v, e) -> {
                if (e != null) {
                    LOG.info("XMPP s2s: reply id={} to {} not sent: {}", id, peerDomain, e.getMessage());
                }
            });
            enqueue(localDomain, peerDomain, new Pending(stanza.name() + " id=" + id,
                    XmlWriter.toXml(stanza, Namespaces.SERVER), sent));
        }

        @Override
        public CompletableFuture<Verification> verify(String receiving, String originating, String streamId, String key) {
            return verifyWithAuthoritative(receiving, originating, streamId, key);
        }

        @Override
        public void iqAnswer(String localDomain, String peerDomain, XmlElement iq) {
            Route route = routes.get(localDomain + ' ' + peerDomain);
            Optional<String> id = iq.attribute("id");
            if (route != null && route.stream != null && id.isPresent()) {
                route.stream.onPingAnswer(id.get());
            }
        }

        @Override
        public boolean hasInboundStream(String localDomain, String peerDomain) {
            for (Channel ch : channels) {
                InboundStream stream = ch.pipeline().get(InboundStream.class);
                if (stream != null && ch.isActive() && stream.carries(localDomain, peerDomain)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void outboundUp(OutboundStream stream) {
            Route route = routes.get(stream.localDomain() + ' ' + stream.peerDomain());
            if (route != null && route.stream == stream) {
                route.up();
            }
        }

        @Override
        public void outboundClosed(OutboundStream stream, XmppException failure) {
            Route route = routes.get(stream.localDomain() + ' ' + stream.peerDomain());
            if (route == null || route.stream != stream) {
                return;
            }
            if (route.connecting && stream.externalRefused() && !stream.dialbackOnly() && !closed.get()
                    && settings.policyFor(route.peer).accepts(PeerPolicy.AuthMethod.DIALBACK)) {
                // Once: the new stream is dialback-only, so it cannot end here again.
                rememberExternalRefused(route.peer);
                LOG.info("XMPP s2s: {} did not accept SASL EXTERNAL from {} ({}); {} stanza(s) wait for a dialback "
                        + "stream on a new connection", route.peer, route.local, failure.getMessage(), route.queue.size());
                route.stream = null;
                connect(route);
            } else if (route.connecting) {
                route.failed(failure);
            } else {
                route.stream = null;
                LOG.debug("XMPP s2s: stream {} -> {} closed: {}", route.local, route.peer, failure.getMessage());
            }
        }
    }
}
