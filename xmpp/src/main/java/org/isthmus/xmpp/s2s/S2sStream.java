package org.isthmus.xmpp.s2s;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.xmpp.LogText;
import org.isthmus.xmpp.XmppException;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * What both directions of a server-to-server stream share: the stream header (RFC 6120 §4.7), stream
 * restarts after TLS and SASL (§5.4.3.3, §6.4.6), stream errors (§4.9), the closing handshake (§4.4),
 * whitespace keepalives (§4.6.1), the idle close and the negotiation deadline. One instance per
 * channel, used only on its event loop.
 *
 * <p>The idle close counts stanzas and negotiation elements only. Netty's all-idle timer would count
 * our own whitespace keepalives and pings as traffic, and with a keepalive every minute a stream would
 * never be idle for the configured ten.
 */
abstract sealed class S2sStream extends ChannelDuplexHandler permits InboundStream, OutboundStream {

    private static final Logger LOG = LoggerFactory.getLogger(S2sStream.class);

    /** Pipeline names. */
    static final String TLS_HANDLER = "tls";
    static final String DECODER = "decoder";

    /** How long to wait for the peer's closing tag after ours (RFC 6120 §4.4) while it sends nothing. */
    static final long CLOSE_WAIT_MILLIS = 1000;
    /**
     * The longest wait for the peer's closing tag while it still sends what it wrote before reading ours;
     * within {@link S2sService}'s wait for its streams at shutdown.
     */
    static final long MAX_CLOSE_WAIT_MILLIS = 2500;
    static final String CLOSE_TAG = "</stream:stream>";

    protected final S2sContext context;
    protected ChannelHandlerContext ctx;
    /** Set once our closing tag or stream error is out; nothing else is written or read after. */
    protected boolean closing;
    /** Whether TLS is established on this connection. */
    protected boolean secure;
    /** Why the connection ended, for the log and for the futures of queued stanzas. */
    protected String reason = "the connection was lost";
    /** When the last element was read or stanza written; what the idle close measures. */
    private long lastTrafficNanos = System.nanoTime();

    S2sStream(S2sContext context) {
        this.context = context;
    }

    /** The peer for log lines: its domain if known, else its address. */
    abstract String peer();

    /** The stream reached its goal (authenticated, or the verification done); the deadline is off. */
    abstract boolean negotiated();

    abstract void onHeader(StreamEvent.Open open);

    abstract void onStreamElement(XmlElement element);

    abstract void onTlsEstablished();

    /** The connection is gone; called once. */
    abstract void onClosed();

    /**
     * Nothing read from the peer for the reader-idle time; {@code firstSinceLastRead} is false when
     * not a byte arrived since the previous such call. Only streams that set a reader-idle time get it.
     */
    void onReaderIdle(boolean firstSinceLastRead) {
    }

    /** The peer sent a stream error; the stream is being closed. */
    void peerStreamError(StreamError error) {
    }

    /** What must precede our stream error: our header if the peer has not had it yet (RFC 6120 §4.9.1.2). */
    String headerBeforeError() {
        return "";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        long deadline = this.context.settings().negotiationTimeout().toMillis();
        context.executor().schedule(() -> {
            if (!negotiated() && context.channel().isActive() && !closing) {
                fail(StreamError.of(StreamErrorCondition.CONNECTION_TIMEOUT,
                        "stream not negotiated within " + deadline + " ms"));
            }
        }, deadline, TimeUnit.MILLISECONDS);
        lastTrafficNanos = System.nanoTime();
        scheduleIdleCheck(this.context.settings().idleTimeout().toNanos());
        super.channelActive(context);
    }

    private void scheduleIdleCheck(long delayNanos) {
        ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void checkIdle() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long idle = this.context.settings().idleTimeout().toNanos();
        long left = idle - (System.nanoTime() - lastTrafficNanos);
        if (!negotiated()) {
            // A TLS handshake reads no element however long it takes; until the stream is negotiated
            // the negotiation deadline, not the idle close, bounds it.
            scheduleIdleCheck(idle);
            return;
        }
        if (left > 0) {
            scheduleIdleCheck(left);
            return;
        }
        LOG.debug("XMPP s2s {}: idle, closing the stream", peer());
        closeStream("no stanza for " + this.context.settings().idleTimeout().toMillis() + " ms");
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        onClosed();
        super.channelInactive(context);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof StreamEvent event)) {
            context.fireChannelRead(msg);
            return;
        }
        if (closing && !(event instanceof StreamEvent.Close)) {
            if (event instanceof StreamEvent.Element element) {
                lastTrafficNanos = System.nanoTime();
                onElementWhileClosing(element.element());
            }
            return;
        }
        if (event instanceof StreamEvent.Open open) {
            lastTrafficNanos = System.nanoTime();
            onHeader(open);
        } else if (event instanceof StreamEvent.Element element) {
            lastTrafficNanos = System.nanoTime();
            Optional<StreamError> error = StreamError.fromElement(element.element());
            if (error.isPresent()) {
                peerStreamError(error.get());
                reason = "stream error from " + peer() + ": " + LogText.of(error.get().toString());
                LOG.warn("XMPP s2s {}: received stream error <{}/>{}", peer(), error.get().condition().elementName(),
                        error.get().text().map(t -> ": " + LogText.of(t)).orElse(""));
                closeStream(reason);
            } else {
                onStreamElement(element.element());
            }
        } else if (event instanceof StreamEvent.Close) {
            if (!closing) {
                reason = peer() + " closed the stream";
                LOG.debug("XMPP s2s {}: peer closed the stream", peer());
                closing = true;
                writeRaw(CLOSE_TAG);
            }
            ctx.close();
        } else if (event instanceof StreamEvent.Failure failure) {
            fail(failure.error());
        }
    }

    /**
     * An element the peer sent before it read our closing tag or stream error. RFC 6120 §4.4 (2) has the
     * closing party "continue to process data received"; nothing more may be written on this stream.
     * Here: dropped; an inbound stream processes its stanzas.
     */
    void onElementWhileClosing(XmlElement element) {
    }

    /** Stanzas written from outside the handler pass here; they fail unless the stream is open for them. */
    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
        if (closing || !acceptsStanzas()) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new XmppException("the stream with " + peer() + " is not open for stanzas"));
            return;
        }
        lastTrafficNanos = System.nanoTime();
        context.write(msg, promise);
    }

    /** Whether stanzas written from outside may pass now. */
    boolean acceptsStanzas() {
        return false;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                secure = true;
                LOG.debug("XMPP s2s {}: TLS established ({})", peer(), sslHandler().map(
                        h -> h.engine().getSession().getProtocol() + " " + h.engine().getSession().getCipherSuite())
                        .orElse("?"));
                onTlsEstablished();
            } else {
                reason = "TLS handshake failed: " + LogText.of(String.valueOf(done.cause().getMessage()));
                LOG.warn("XMPP s2s {}: {}", peer(), reason);
                closing = true;
                ctx.close();
            }
            return;
        }
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.WRITER_IDLE && !closing) {
                writeRaw(" "); // RFC 6120 §4.6.1 whitespace keepalive
            } else if (idle.state() == IdleState.READER_IDLE && !closing) {
                onReaderIdle(idle.isFirst());
            }
            return;
        }
        super.userEventTriggered(context, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        reason = "I/O error: " + LogText.of(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        LOG.debug("XMPP s2s {}: {}", peer(), reason);
        closing = true;
        context.close();
    }

    /** Our stream header (RFC 6120 §4.7.1, XEP-0220 §5: the {@code db} prefix declared). */
    static String header(String from, Optional<String> to, Optional<String> id) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("<?xml version='1.0'?><stream:stream xmlns='").append(Namespaces.SERVER)
                .append("' xmlns:stream='").append(Namespaces.STREAMS)
                .append("' xmlns:db='").append(Namespaces.DIALBACK)
                .append("' from='").append(XmlWriter.escapeAttribute(from)).append('\'');
        to.ifPresent(t -> sb.append(" to='").append(XmlWriter.escapeAttribute(t)).append('\''));
        id.ifPresent(i -> sb.append(" id='").append(XmlWriter.escapeAttribute(i)).append('\''));
        return sb.append(" version='1.0'>").toString();
    }

    /** A new parser for a restarted stream (RFC 6120 §4.3.3): the old one's state ends with the old stream. */
    void restartDecoder() {
        ctx.pipeline().replace(XmppStreamDecoder.class, DECODER, newDecoder(context.settings()));
    }

    static XmppStreamDecoder newDecoder(S2sSettings settings) {
        return new XmppStreamDecoder(settings.maxStanzaBytes(), XmppStreamDecoder.DEFAULT_MAX_DEPTH,
                XmppStreamDecoder.DEFAULT_MAX_ATTRIBUTES, settings.stanzaTimeout());
    }

    Optional<SslHandler> sslHandler() {
        return Optional.ofNullable(ctx.pipeline().get(SslHandler.class));
    }

    void writeRaw(String xml) {
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), xml), ctx.voidPromise());
    }

    void writeElement(XmlElement element) {
        writeRaw(toWire(element));
    }

    /**
     * An element as written on a stream whose header is {@link #header}. Dialback elements carry the
     * {@code db} prefix that header declares, never an {@code xmlns} of their own: XEP-0220 §2.1.1 says
     * they MUST be prefixed, and ejabberd 23.01 drops {@code <verify xmlns='jabber:server:dialback'/>}
     * unanswered. Their children stay in the stream's default namespace, {@code jabber:server}.
     */
    static String toWire(XmlElement element) {
        if (element.namespace().equals(Namespaces.DIALBACK)) {
            XmlElement prefixed = new XmlElement(Namespaces.SERVER, "db:" + element.name(), element.attributes(),
                    element.children(), element.text());
            return XmlWriter.toXml(prefixed, Namespaces.SERVER);
        }
        return XmlWriter.toXml(element, Namespaces.SERVER);
    }

    /** Ends the stream with a stream error (RFC 6120 §4.9.1.1) and closes the connection. */
    void fail(StreamError error) {
        if (closing) {
            return;
        }
        reason = "sent stream error " + error;
        LOG.warn("XMPP s2s {}: closing the stream with <{}/>: {}", peer(), error.condition().elementName(),
                LogText.of(error.text().orElse("")));
        closing = true;
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), headerBeforeError() + error.toXml() + CLOSE_TAG))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Ends the stream cleanly (RFC 6120 §4.4): our closing tag, then TCP close on the peer's or after a wait. */
    void closeStream(String why) {
        if (closing) {
            return;
        }
        reason = why;
        closing = true;
        writeRaw(CLOSE_TAG);
        lastTrafficNanos = System.nanoTime();
        long closedAt = lastTrafficNanos;
        ctx.executor().schedule(() -> closeWhenQuiet(closedAt), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the connection once the peer has sent nothing for {@link #CLOSE_WAIT_MILLIS}, or
     * {@link #MAX_CLOSE_WAIT_MILLIS} after our closing tag: a peer still sending what it wrote before it
     * read our tag is read to its end (those stanzas count as sent on its side), one that says nothing
     * more does not hold the connection.
     */
    private void closeWhenQuiet(long closedAt) {
        long now = System.nanoTime();
        long quietMillis = TimeUnit.NANOSECONDS.toMillis(now - lastTrafficNanos);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(now - closedAt);
        if (ctx.channel().isActive() && quietMillis < CLOSE_WAIT_MILLIS && waitedMillis < MAX_CLOSE_WAIT_MILLIS) {
            long next = Math.min(CLOSE_WAIT_MILLIS - quietMillis, MAX_CLOSE_WAIT_MILLIS - waitedMillis);
            ctx.executor().schedule(() -> closeWhenQuiet(closedAt), Math.max(1, next), TimeUnit.MILLISECONDS);
            return;
        }
        ctx.close();
    }

    static String attr(XmlElement element, String name) {
        return LogText.of(element.attribute(name).orElse("-"));
    }
}
