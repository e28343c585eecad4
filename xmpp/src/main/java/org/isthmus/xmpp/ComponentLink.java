package org.isthmus.xmpp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.xmpp.stanza.MessageCodec;
import org.isthmus.xmpp.stanza.PresenceCodec;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlWriter;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * The link of an external component to its XMPP server (XEP-0114): connects, authenticates with the
 * handshake, delivers inbound messages and presence to the {@link XmppHandler}, sends outbound ones, and
 * reconnects with exponential backoff and jitter until {@link #close()}.
 *
 * <p>The link owns one event loop thread (a daemon) on which all its connection state changes.
 */
public final class ComponentLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentLink.class);

    /**
     * Bytes written but not yet taken by the server above which {@link #send} refuses stanzas, and below
     * which it accepts them again: a server that stops reading cannot make the gateway buffer without bound.
     */
    static final int OUTBOUND_QUEUE_HIGH_BYTES = 1024 * 1024;
    static final int OUTBOUND_QUEUE_LOW_BYTES = 512 * 1024;

    /** Outbound idleness after which a whitespace keepalive is sent (RFC 6120 §4.6.1). */
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(60);

    private static final long SHUTDOWN_WAIT_MILLIS = 2000;

    /**
     * The most stanzas one turn of the event loop takes from the outbox; what is left waits for the next
     * turn, so that reading the server's stanzas is never starved by a burst of sends.
     */
    static final int MAX_STANZAS_PER_FLUSH = 256;

    private final ComponentSettings settings;
    private final XmppHandler handler;
    private final String domain;
    private final String peer;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The channel whose handshake succeeded; null while the link is down. */
    private volatile Channel upChannel;
    /** The channel of the current attempt, connected or not; touched on the event loop and in close(). */
    private volatile Channel currentChannel;
    private volatile ScheduledFuture<?> reconnect;
    /** Event loop only: consecutive failed attempts since the link was last up. */
    private int failures;
    /** Event loop only: the "waiting for the server" line was logged for this outage. */
    private boolean waitingLogged;

    /**
     * Stanzas serialized by the sending threads, waiting for the event loop to write them. The loop takes
     * all that are there in one task and flushes them with one write: at thousands of stanzas a second
     * each {@code writeAndFlush} from another thread cost a task, a wake-up of the loop and a
     * {@code write(2)} of its own (issue 7), now a burst costs one of each.
     */
    private final Queue<Outgoing> outbox = new ConcurrentLinkedQueue<>();
    /** UTF-16 units of XML in the {@link #outbox}: they count towards the bound on the outbound queue. */
    private final AtomicLong outboxChars = new AtomicLong();
    /** Whether a task that drains the {@link #outbox} is queued on the event loop and has not started. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();

    /** One serialized stanza waiting in the {@link #outbox}, for the stream it was accepted on. */
    private record Outgoing(Channel channel, String xml, String what, CompletableFuture<Void> result) {
    }

    /** A link that does nothing until {@link #start()}. */
    public ComponentLink(ComponentSettings settings, XmppHandler handler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.domain = settings.preparedDomain();
        this.peer = settings.host() + ":" + settings.port();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("isthmus-xmpp-" + domain, true),
                NioIoHandler.newFactory());
        ComponentEvents events = new Events();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, Boolean.TRUE)
                .option(ChannelOption.SO_KEEPALIVE, Boolean.TRUE)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(OUTBOUND_QUEUE_LOW_BYTES, OUTBOUND_QUEUE_HIGH_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new IdleStateHandler(settings.pingInterval().toMillis(), KEEPALIVE_INTERVAL.toMillis(), 0,
                                        TimeUnit.MILLISECONDS),
                                new XmppStreamDecoder(settings.maxStanzaBytes(), XmppStreamDecoder.DEFAULT_MAX_DEPTH,
                                        XmppStreamDecoder.DEFAULT_MAX_ATTRIBUTES, settings.stanzaTimeout()),
                                new ComponentStreamHandler(settings, events));
                    }
                });
    }

    /** Starts connecting in the background and keeps the link up until {@link #close()}; returns at once. */
    public void start() {
        if (closed.get()) {
            throw new XmppException("the component link for " + domain + " is closed");
        }
        if (started.compareAndSet(false, true)) {
            group.execute(this::connect);
        }
    }

    /** Whether the handshake succeeded and the stream has not ended since. */
    public boolean isUp() {
        return upChannel != null;
    }

    /**
     * Sends a message. The future completes when the stanza is written and flushed to the socket, and
     * completes exceptionally with {@link XmppException} at once when the link is down, its outbound
     * queue is full, or the message does not come from the component's domain (XEP-0114 §3 would make
     * the server end the stream), or later when the write fails.
     */
    public CompletableFuture<Void> send(XmppMessage message) {
        Objects.requireNonNull(message, "message");
        return send("message", message.id(), message.from(), ns -> MessageCodec.toXml(message, ns, ns));
    }

    /**
     * Sends an availability presence (RFC 6121 §4.7), with the semantics of {@link #send(XmppMessage)}.
     */
    public CompletableFuture<Void> send(XmppPresence presence) {
        Objects.requireNonNull(presence, "presence");
        return send("presence", presence.id(), presence.from(),
                ns -> XmlWriter.toXml(PresenceCodec.toElement(presence, ns), ns));
    }

    /**
     * Sends a subscription stanza or probe (RFC 6121 §3, §4.3), or the {@code unavailable} or
     * {@code error} presence the subscription layer answers with, with the semantics of
     * {@link #send(XmppMessage)}.
     */
    public CompletableFuture<Void> send(XmppSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        return send("presence", subscription.id(), subscription.from(),
                ns -> XmlWriter.toXml(PresenceCodec.toElement(subscription, ns), ns));
    }

    /**
     * The send path of every stanza kind: the checks, then one serialization, made only once the stanza
     * will be written, and the write. {@code kind} is the element name, for errors and logs; {@code stanza}
     * writes the stanza as XML in the content namespace it is given, that namespace being the stream's.
     */
    private CompletableFuture<Void> send(String kind, Optional<String> id, Jid from,
                                         Function<String, String> stanza) {
        String what = kind + " id=" + id.orElse("-");
        Channel channel = upChannel;
        if (channel == null || closed.get()) {
            return CompletableFuture.failedFuture(new XmppException(
                    "XMPP component link " + domain + " is down; " + what + " not sent"));
        }
        if (!channel.isWritable() || outboxChars.get() > OUTBOUND_QUEUE_HIGH_BYTES) {
            // The server has stopped reading: refuse rather than queue without bound (issue 4).
            return CompletableFuture.failedFuture(new XmppException("XMPP component link " + domain
                    + ": outbound queue full (the server is not reading); " + what + " not sent"));
        }
        if (!from.domain().equals(domain)) {
            return CompletableFuture.failedFuture(new XmppException(what + " from " + from
                    + " is not from the component domain " + domain + " (XEP-0114 §3)"));
        }
        String xml = stanza.apply(Namespaces.COMPONENT_ACCEPT);
        CompletableFuture<Void> result = new CompletableFuture<>();
        outboxChars.addAndGet(xml.length());
        outbox.add(new Outgoing(channel, xml, what, result));
        if (drainQueued.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this::drainOutbox);
            } catch (RejectedExecutionException e) {
                // The loop has shut down (close()): nothing will write what waits.
                drainQueued.set(false);
                failOutbox(new XmppException("XMPP component link " + domain + " is closed", e));
            }
        }
        return result;
    }

    /**
     * Event loop only: writes what waits in the outbox, each stream's stanzas in one buffer, and flushes
     * once. Each stanza's future completes when its bytes are flushed to the socket, or fails with the
     * write, as {@link #send(XmppMessage)} promises.
     */
    private void drainOutbox() {
        // Cleared first: a stanza added from now on either is taken below or queues the next drain.
        drainQueued.set(false);
        Channel channel = null;
        List<Outgoing> batch = new ArrayList<>();
        int taken = 0;
        Outgoing next;
        while (taken < MAX_STANZAS_PER_FLUSH && (next = outbox.poll()) != null) {
            taken++;
            outboxChars.addAndGet(-next.xml().length());
            if (channel != null && next.channel() != channel) {
                write(channel, batch);
                channel.flush();
                batch = new ArrayList<>();
            }
            channel = next.channel();
            batch.add(next);
        }
        if (channel != null) {
            write(channel, batch);
            channel.flush();
        }
        if (!outbox.isEmpty() && drainQueued.compareAndSet(false, true)) {
            group.next().execute(this::drainOutbox);
        }
    }

    /** Event loop only: one write of {@code batch}'s stanzas, in order; the caller flushes. */
    private void write(Channel channel, List<Outgoing> batch) {
        ByteBuf bytes;
        if (batch.size() == 1) {
            bytes = ByteBufUtil.writeUtf8(channel.alloc(), batch.get(0).xml());
        } else {
            int chars = 0;
            for (Outgoing o : batch) {
                chars += o.xml().length();
            }
            bytes = channel.alloc().buffer(chars);
            for (Outgoing o : batch) {
                ByteBufUtil.writeUtf8(bytes, o.xml());
            }
        }
        List<Outgoing> written = batch;
        channel.write(bytes).addListener(f -> {
            for (Outgoing o : written) {
                if (f.isSuccess()) {
                    o.result().complete(null);
                } else {
                    LOG.debug("XMPP component {}: write of {} failed", domain, LogText.of(o.what()), f.cause());
                    o.result().completeExceptionally(new XmppException("XMPP component link " + domain
                            + ": write of " + o.what() + " failed", f.cause()));
                }
            }
        });
    }

    /** Fails every stanza still in the outbox with {@code cause}. */
    private void failOutbox(XmppException cause) {
        Outgoing o;
        while ((o = outbox.poll()) != null) {
            outboxChars.addAndGet(-o.xml().length());
            o.result().completeExceptionally(cause);
        }
    }

    /**
     * Ends the stream with {@code </stream:stream>}, closes the connection, stops reconnecting and
     * shuts down the link's thread. Idempotent; returns within a few seconds (RFC 6120 §4.4 wait bounded).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onLoop = group.next().inEventLoop();
        ScheduledFuture<?> pending = reconnect;
        if (pending != null) {
            pending.cancel(false);
        }
        Channel channel = currentChannel;
        if (channel != null) {
            CompletableFuture<Void> channelClosed = new CompletableFuture<>();
            channel.closeFuture().addListener(f -> channelClosed.complete(null));
            channel.eventLoop().execute(() -> {
                ComponentStreamHandler stream = channel.pipeline().get(ComponentStreamHandler.class);
                if (stream != null && channel.isActive()) {
                    stream.closeGracefully("the component link was closed");
                } else {
                    channel.close();
                }
            });
            if (!onLoop) {
                try {
                    channelClosed.get(ComponentStreamHandler.CLOSE_WAIT_MILLIS + SHUTDOWN_WAIT_MILLIS,
                            TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("XMPP component {}: no clean close from {}", domain, peer);
                }
            }
        }
        Future<?> shutdown = group.shutdownGracefully(0, SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (!onLoop) {
            shutdown.awaitUninterruptibly(SHUTDOWN_WAIT_MILLIS * 2);
        }
        LOG.info("XMPP component {}: link to {} closed", domain, peer);
    }

    /** Event loop only. */
    private void connect() {
        reconnect = null;
        if (closed.get()) {
            return;
        }
        LOG.debug("XMPP component {}: connecting to {} (attempt {})", domain, peer, failures + 1);
        ChannelFuture attempt = bootstrap.connect(settings.host(), settings.port());
        currentChannel = attempt.channel();
        attempt.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                if (closed.get()) {
                    f.channel().close();
                }
                LOG.debug("XMPP component {}: TCP connected to {}", domain, peer);
                return;
            }
            if (closed.get()) {
                return;
            }
            String cause = f.cause() == null ? "cancelled" : String.valueOf(f.cause().getMessage());
            if (!waitingLogged) {
                waitingLogged = true;
                LOG.info("XMPP component {}: waiting for the XMPP server at {} ({}); retrying in the background",
                        domain, peer, LogText.of(cause));
            }
            scheduleReconnect("connect failed: " + LogText.of(cause));
        });
    }

    /** Event loop only. */
    private void scheduleReconnect(String why) {
        if (closed.get()) {
            return;
        }
        long delay = backoffMillis(failures++);
        LOG.debug("XMPP component {}: {}; next attempt to {} in {} ms", domain, why, peer, delay);
        try {
            reconnect = group.next().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("XMPP component {}: not reconnecting, the link is shutting down", domain);
        }
    }

    /**
     * The delay before attempt {@code failed + 1}: the initial backoff doubled per failure, capped at
     * the maximum, then spread by ±20% so that many gateways do not reconnect in step.
     */
    long backoffMillis(int failed) {
        long initial = settings.initialBackoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        long base = Math.min(initial, max);
        for (int i = 0; i < failed && base < max; i++) {
            base = base > max / 2 ? max : base * 2;
        }
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, Math.min(max, Math.round(base * jitter)));
    }

    /** The callbacks of the link's connections; all run on the event loop. */
    private final class Events implements ComponentEvents {

        @Override
        public void handshakeAccepted(Channel channel) {
            if (closed.get()) {
                return;
            }
            failures = 0;
            waitingLogged = false;
            upChannel = channel;
            LOG.info("XMPP component {}: connected to the XMPP server at {}, handshake accepted", domain, peer);
            notifyHandler(true, "handshake accepted by " + peer);
        }

        @Override
        public void message(XmppMessage message) {
            handler.onMessage(message);
        }

        @Override
        public void presence(XmppPresence presence) {
            handler.onPresence(presence);
        }

        @Override
        public void subscription(XmppSubscription subscription) {
            handler.onSubscription(subscription);
        }

        @Override
        public void closed(Channel channel, String reason) {
            if (channel != currentChannel) {
                return;
            }
            boolean wasUp = upChannel == channel;
            upChannel = null;
            if (wasUp) {
                if (!closed.get()) {
                    LOG.warn("XMPP component {}: link to {} is down: {}", domain, peer, reason);
                }
                notifyHandler(false, reason);
            }
            scheduleReconnect(reason);
        }

        private void notifyHandler(boolean up, String reason) {
            try {
                handler.onLinkStateChanged(domain, up, reason);
            } catch (RuntimeException e) {
                LOG.warn("XMPP component {}: the gateway failed on a link state change", domain, e);
            }
        }
    }
}
