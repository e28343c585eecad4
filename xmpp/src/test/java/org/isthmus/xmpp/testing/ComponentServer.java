package org.isthmus.xmpp.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * A loopback XMPP server endpoint for external components (XEP-0114 §3), for tests: it accepts one
 * authenticated component at a time, checks its handshake, queues what the component sends and lets
 * the test send raw stanzas, drop the connection and wait for each of these with a bounded wait.
 *
 * <p>Like Prosody, it answers a wrong {@code to} with {@code <host-unknown/>}, a wrong secret with
 * {@code <not-authorized/>} and a second component for the same domain with {@code <conflict/>}.
 */
public final class ComponentServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentServer.class);

    private final String domain;
    private volatile String secret;
    private volatile boolean routesToComponent;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final BlockingQueue<XmlElement> received = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    /** The authenticated component connection, or null; guarded by {@link #lock}. */
    private Channel session;
    private int acceptedHandshakes;
    private int rejectedHandshakes;
    private int closedStreams;

    private ComponentServer(String domain, String secret, int port) {
        this.domain = Objects.requireNonNull(domain, "domain");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("component-server", true),
                NioIoHandler.newFactory());
        try {
            this.serverChannel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new XmppStreamDecoder(), new Connection());
                        }
                    })
                    .bind("127.0.0.1", port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** A server for {@code domain} with {@code secret} on a free loopback port. */
    public static ComponentServer start(String domain, String secret) {
        return new ComponentServer(domain, secret, 0);
    }

    /** A server for {@code domain} with {@code secret} on the given loopback port. */
    public static ComponentServer start(String domain, String secret, int port) {
        return new ComponentServer(domain, secret, port);
    }

    /** The address to connect to. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port it listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Changes the secret later handshakes are checked against. */
    public void setSecret(String newSecret) {
        this.secret = Objects.requireNonNull(newSecret, "newSecret");
    }

    /** Whether a component is connected and authenticated now. */
    public boolean isConnected() {
        synchronized (lock) {
            return session != null;
        }
    }

    /** Handshakes accepted so far. */
    public int acceptedHandshakes() {
        synchronized (lock) {
            return acceptedHandshakes;
        }
    }

    /** Handshakes refused with {@code <not-authorized/>} so far. */
    public int rejectedHandshakes() {
        synchronized (lock) {
            return rejectedHandshakes;
        }
    }

    /** Streams the component closed with {@code </stream:stream>} so far. */
    public int closedStreams() {
        synchronized (lock) {
            return closedStreams;
        }
    }

    /** Waits until a component is connected and authenticated; fails the test after {@code timeout}. */
    public void awaitConnected(Duration timeout) {
        await(() -> session != null, timeout, "no component connected to " + domain);
    }

    /** Waits until no component is connected; fails the test after {@code timeout}. */
    public void awaitDisconnected(Duration timeout) {
        await(() -> session == null, timeout, "the component for " + domain + " is still connected");
    }

    /** Waits until at least {@code count} handshakes were refused; fails the test after {@code timeout}. */
    public void awaitRejectedHandshakes(int count, Duration timeout) {
        await(() -> rejectedHandshakes >= count, timeout, "fewer than " + count + " handshakes were refused");
    }

    /** Waits until the component closed {@code count} streams; fails the test after {@code timeout}. */
    public void awaitClosedStreams(int count, Duration timeout) {
        await(() -> closedStreams >= count, timeout, "the component closed fewer than " + count + " streams");
    }

    private void await(BooleanSupplier condition, Duration timeout, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(failure + " within " + timeout);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Sends raw XML (a stanza, or anything else) to the connected component and waits until it is written. */
    public void send(String xml) {
        Channel channel;
        synchronized (lock) {
            channel = session;
        }
        if (channel == null) {
            throw new IllegalStateException("no component is connected");
        }
        if (!channel.writeAndFlush(Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8)).awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            throw new AssertionError("write to the component timed out");
        }
    }

    /**
     * The next element the component sent (stanzas, and a {@code <stream:error/>} in the streams
     * namespace) as XML, top-level namespace {@code jabber:component:accept} left implicit; fails the
     * test after {@code timeout}.
     */
    public String take(Duration timeout) {
        return XmlWriter.toXml(takeElement(timeout), Namespaces.COMPONENT_ACCEPT);
    }

    /** The next element the component sent; fails the test after {@code timeout}. */
    public XmlElement takeElement(Duration timeout) {
        return poll(timeout).orElseThrow(() -> new AssertionError("nothing received from the component within " + timeout));
    }

    /** The next element the component sent, or empty after {@code timeout}. */
    public Optional<XmlElement> poll(Duration timeout) {
        try {
            return Optional.ofNullable(received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Closes the component's TCP connection without a closing tag, as a crashing or restarting server would. */
    /**
     * Whether stanzas the component addresses to its own domain are routed back to it, as Prosody does
     * (off by default, so tests see exactly what the component sent and nothing comes back unasked).
     */
    public void setRoutesToComponent(boolean routes) {
        this.routesToComponent = routes;
    }

    /** Stops (or resumes) reading from the component, as a stalled server would; the connection stays open. */
    public void setReading(boolean reading) {
        Channel channel;
        synchronized (lock) {
            channel = session;
        }
        if (channel != null) {
            channel.config().setAutoRead(reading);
        }
    }

    public void dropConnection() {
        Channel channel;
        synchronized (lock) {
            channel = session;
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Stops listening, drops any connection and stops the server's thread. */
    @Override
    public void close() {
        dropConnection();
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static String sha1Hex(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(hash.length * 2);
            for (byte b : hash) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One component connection, on the server's event loop. */
    private final class Connection extends SimpleChannelInboundHandler<StreamEvent> {
        private final String streamId = UUID.randomUUID().toString().replace("-", "");
        private boolean authenticated;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, StreamEvent event) {
            if (event instanceof StreamEvent.Open open) {
                String header = "<?xml version='1.0'?><stream:stream xmlns:stream='" + Namespaces.STREAMS
                        + "' xmlns='" + Namespaces.COMPONENT_ACCEPT + "' from='" + XmlWriter.escapeAttribute(domain)
                        + "' id='" + streamId + "'>";
                if (!open.contentNamespace().equals(Namespaces.COMPONENT_ACCEPT)) {
                    closeWith(ctx, header, StreamErrorCondition.INVALID_NAMESPACE);
                } else if (!open.attribute("to").filter(domain::equals).isPresent()) {
                    closeWith(ctx, header, StreamErrorCondition.HOST_UNKNOWN);
                } else {
                    ctx.writeAndFlush(Unpooled.copiedBuffer(header, StandardCharsets.UTF_8));
                }
            } else if (event instanceof StreamEvent.Element element) {
                onElement(ctx, element.element());
            } else if (event instanceof StreamEvent.Close) {
                synchronized (lock) {
                    closedStreams++;
                    lock.notifyAll();
                }
                ctx.writeAndFlush(Unpooled.copiedBuffer("</stream:stream>", StandardCharsets.UTF_8))
                        .addListener(ChannelFutureListener.CLOSE);
            } else if (event instanceof StreamEvent.Failure failure) {
                LOG.warn("component sent bad XML: {}", failure.error());
                closeWith(ctx, "", failure.error().condition());
            }
        }

        private void onElement(ChannelHandlerContext ctx, XmlElement element) {
            if (authenticated) {
                received.add(element);
                String to = element.attribute("to").orElse("");
                if (routesToComponent && (to.equals(domain) || to.endsWith("@" + domain) || to.startsWith(domain + "/"))) {
                    // As a server does: a stanza addressed to the component's own domain goes back to it.
                    ctx.writeAndFlush(Unpooled.copiedBuffer(XmlWriter.toXml(element, Namespaces.COMPONENT_ACCEPT),
                            StandardCharsets.UTF_8));
                }
                return;
            }
            if (!element.is(Namespaces.COMPONENT_ACCEPT, "handshake")) {
                closeWith(ctx, "", StreamErrorCondition.NOT_AUTHORIZED);
                return;
            }
            boolean valid = element.text().strip().equals(sha1Hex(streamId + secret));
            StreamErrorCondition refusal = null;
            synchronized (lock) {
                if (!valid) {
                    rejectedHandshakes++;
                    refusal = StreamErrorCondition.NOT_AUTHORIZED;
                } else if (session != null) {
                    refusal = StreamErrorCondition.CONFLICT;
                } else {
                    authenticated = true;
                    acceptedHandshakes++;
                    session = ctx.channel();
                }
                lock.notifyAll();
            }
            if (refusal == null) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("<handshake/>", StandardCharsets.UTF_8));
            } else {
                closeWith(ctx, "", refusal);
            }
        }

        private void closeWith(ChannelHandlerContext ctx, String prefix, StreamErrorCondition condition) {
            String xml = prefix + StreamError.of(condition, null).toXml() + "</stream:stream>";
            ctx.writeAndFlush(Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            synchronized (lock) {
                if (session == ctx.channel()) {
                    session = null;
                    lock.notifyAll();
                }
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("component connection failed", cause);
            ctx.close();
        }
    }
}
