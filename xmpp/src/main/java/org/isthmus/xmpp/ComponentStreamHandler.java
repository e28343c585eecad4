package org.isthmus.xmpp;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.xmpp.stanza.IqResponder;
import org.isthmus.xmpp.stanza.MessageCodec;
import org.isthmus.xmpp.stanza.PresenceCodec;
import org.isthmus.xmpp.stanza.StanzaErrors;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamError;
import org.isthmus.xmpp.stream.StreamErrorCondition;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmlWriter;

/**
 * One external component connection (XEP-0114 §3): sends the stream header, answers the server's
 * header with the handshake, then dispatches stanzas; closes with a stream error on any protocol
 * violation (RFC 6120 §4.9). One instance per channel.
 */
final class ComponentStreamHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ComponentStreamHandler.class);

    /** How long to wait for the server's closing tag after ours (RFC 6120 §4.4). */
    static final long CLOSE_WAIT_MILLIS = 1000;

    static final String CLOSE_TAG = "</stream:stream>";

    private enum State { AWAIT_HEADER, AWAIT_HANDSHAKE, UP, CLOSING }

    private final ComponentSettings settings;
    private final String domain;
    private final String peer;
    private final ComponentEvents events;
    private final IqResponder iqResponder;
    private State state = State.AWAIT_HEADER;
    /** Whether the handshake succeeded on this stream, so that stanzas after our closing tag are the server's. */
    private boolean handshaken;
    private String reason;
    private long pingCount;
    private ChannelHandlerContext context;

    ComponentStreamHandler(ComponentSettings settings, ComponentEvents events) {
        this.settings = settings;
        this.domain = settings.preparedDomain();
        this.peer = settings.host() + ":" + settings.port();
        this.events = events;
        this.iqResponder = new IqResponder(domain);
        this.reason = "the connection to " + peer + " was lost";
    }

    /** XEP-0114 §3 example 1; no 'version', as XEP-0114 streams predate stream features. */
    static String streamHeader(String domain) {
        return "<?xml version='1.0'?><stream:stream xmlns='" + Namespaces.COMPONENT_ACCEPT
                + "' xmlns:stream='" + Namespaces.STREAMS + "' to='" + XmlWriter.escapeAttribute(domain) + "'>";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        write(ctx, streamHeader(settings.domain()));
        // A server that accepts TCP but never completes the handshake must not hold the link forever.
        // RFC 6120 §4.9.3.4: the stream ends with <connection-timeout/>, so the server's log says why.
        ctx.executor().schedule(() -> {
            if (state == State.AWAIT_HEADER || state == State.AWAIT_HANDSHAKE) {
                fail(ctx, StreamError.of(StreamErrorCondition.CONNECTION_TIMEOUT,
                        "no handshake reply within " + settings.connectTimeout().toMillis() + " ms"));
            }
        }, settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        events.closed(ctx.channel(), reason);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof StreamEvent event) {
            onEvent(ctx, event);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * Stanzas the link sends pass here; once the stream is ending (our closing tag or stream error is
     * out, RFC 6120 §4.4) or before the handshake, they fail instead of following the closing tag.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (state != State.UP) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new XmppException("the stream to " + peer + " is not open for stanzas"));
            return;
        }
        ctx.write(msg, promise);
    }

    private void onEvent(ChannelHandlerContext ctx, StreamEvent event) {
        if (state == State.CLOSING && !(event instanceof StreamEvent.Close)) {
            if (handshaken && event instanceof StreamEvent.Element element) {
                onElementWhileClosing(element.element());
            }
            return;
        }
        if (event instanceof StreamEvent.Open open) {
            onOpen(ctx, open);
        } else if (event instanceof StreamEvent.Element element) {
            onElement(ctx, element.element());
        } else if (event instanceof StreamEvent.Close) {
            if (state != State.CLOSING) {
                reason = "the server closed the stream";
                LOG.info("XMPP component {}: {} closed the stream", domain, peer);
                write(ctx, CLOSE_TAG);
            }
            ctx.close();
        } else if (event instanceof StreamEvent.Failure failure) {
            fail(ctx, failure.error());
        }
    }

    private void onOpen(ChannelHandlerContext ctx, StreamEvent.Open open) {
        if (state != State.AWAIT_HEADER) {
            fail(ctx, StreamError.of(StreamErrorCondition.BAD_FORMAT, "second stream header"));
            return;
        }
        if (!open.contentNamespace().equals(Namespaces.COMPONENT_ACCEPT)) {
            fail(ctx, StreamError.of(StreamErrorCondition.INVALID_NAMESPACE,
                    "expected " + Namespaces.COMPONENT_ACCEPT + " (XEP-0114 §3)"));
            return;
        }
        Optional<String> id = open.attribute("id").filter(s -> !s.isEmpty());
        if (id.isEmpty()) {
            fail(ctx, StreamError.of(StreamErrorCondition.BAD_FORMAT, "stream header without 'id' (XEP-0114 §3)"));
            return;
        }
        state = State.AWAIT_HANDSHAKE;
        LOG.debug("XMPP component {}: stream id {} from {}, sending handshake", domain, LogText.of(id.get()), peer);
        write(ctx, "<handshake>" + ComponentHandshake.digest(id.get(), settings.secret()) + "</handshake>");
    }

    private void onElement(ChannelHandlerContext ctx, XmlElement element) {
        Optional<StreamError> streamError = StreamError.fromElement(element);
        if (streamError.isPresent()) {
            StreamError e = streamError.get();
            reason = "stream error from the server: " + LogText.of(e.toString());
            LOG.warn("XMPP component {}: {} sent stream error <{}/>{}", domain, peer, e.condition().elementName(),
                    e.text().map(t -> ": " + LogText.of(t)).orElse(""));
            closeStream(ctx);
            return;
        }
        if (state == State.AWAIT_HEADER) {
            fail(ctx, StreamError.of(StreamErrorCondition.BAD_FORMAT, "element before the stream header"));
            return;
        }
        boolean ours = element.namespace().equals(Namespaces.COMPONENT_ACCEPT);
        if (state == State.AWAIT_HANDSHAKE) {
            if (ours && element.name().equals("handshake")) {
                state = State.UP;
                handshaken = true;
                events.handshakeAccepted(ctx.channel());
            } else {
                fail(ctx, StreamError.of(StreamErrorCondition.NOT_AUTHORIZED, "stanza before the handshake"));
            }
            return;
        }
        if (!ours) {
            fail(ctx, StreamError.of(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE,
                    "element {" + element.namespace() + "}" + element.name()));
            return;
        }
        switch (element.name()) {
            case "message" -> onStanza(ctx, element, MessageCodec.fromElement(element), events::message);
            case "presence" -> onStanza(ctx, element, PresenceCodec.fromElement(element),
                    presence -> presence.dispatch(events::presence, events::subscription));
            case "iq" -> onIq(ctx, element);
            case "handshake" -> LOG.debug("XMPP component {}: ignored a second handshake", domain);
            default -> fail(ctx, StreamError.of(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE,
                    "element <" + element.name() + "/>"));
        }
    }

    /**
     * A stanza the server sent before it read our closing tag: RFC 6120 §4.4 (2) has the closing party
     * "continue to process data received", so a message or presence still goes to the gateway, which
     * would otherwise never learn of it (XEP-0114 has no acknowledgements: the server counts it as
     * delivered). Nothing can be written any more, so one that does not convert is logged, not answered.
     */
    private void onElementWhileClosing(XmlElement element) {
        if (!element.namespace().equals(Namespaces.COMPONENT_ACCEPT)) {
            return;
        }
        switch (element.name()) {
            case "message" -> onStanzaWhileClosing(element, MessageCodec.fromElement(element), events::message);
            case "presence" -> onStanzaWhileClosing(element, PresenceCodec.fromElement(element),
                    presence -> presence.dispatch(events::presence, events::subscription));
            default -> LOG.info("XMPP component {}: {} id={} from={} after our closing tag: not processed", domain,
                    element.name(), id(element), attr(element, "from"));
        }
    }

    private <T> void onStanzaWhileClosing(XmlElement element, Mapped<T> mapped, Consumer<T> deliver) {
        if (mapped instanceof Mapped.Ok<T> ok) {
            LOG.info("XMPP component {}: {} id={} from={} after our closing tag: processed", domain, element.name(),
                    id(element), attr(element, "from"));
            try {
                deliver.accept(ok.value());
            } catch (RuntimeException e) {
                LOG.warn("XMPP component {}: the gateway failed on {} id={}", domain, element.name(), id(element), e);
            }
        } else {
            LOG.info("XMPP component {}: discarded {} id={} from={} after our closing tag: {}", domain, element.name(),
                    id(element), attr(element, "from"), LogText.of(((Mapped.Failed<T>) mapped).rejected().text()));
        }
    }

    /**
     * A message or presence: the converted value goes to the gateway; one that does not convert is
     * answered with the error (RFC 6120 §8.3), unless it is an error itself or names no one to answer.
     */
    private <T> void onStanza(ChannelHandlerContext ctx, XmlElement element, Mapped<T> mapped, Consumer<T> deliver) {
        if (mapped instanceof Mapped.Ok<T> ok) {
            LOG.debug("XMPP component {}: {} id={} type={} from={} to={}", domain, element.name(), id(element),
                    attr(element, "type"), attr(element, "from"), attr(element, "to"));
            try {
                deliver.accept(ok.value());
            } catch (RuntimeException e) {
                LOG.warn("XMPP component {}: the gateway failed on {} id={}", domain, element.name(), id(element), e);
            }
            return;
        }
        Rejected rejected = ((Mapped.Failed<T>) mapped).rejected();
        Optional<String> from = element.attribute("from").filter(f -> Jid.parse(f).isOk());
        boolean isError = element.attribute("type").filter("error"::equals).isPresent();
        if (from.isEmpty() || isError) {
            // RFC 6120 §8.3.1: never answer an error with an error; without 'from' there is no one to answer.
            LOG.info("XMPP component {}: discarded {} id={} from={}: {}", domain, element.name(), id(element),
                    attr(element, "from"), LogText.of(rejected.text()));
            return;
        }
        String replyFrom = element.attribute("to").map(Jid::parse).filter(Mapped::isOk).map(Mapped::orThrow)
                .filter(j -> j.domain().equals(domain)).map(Jid::toString).orElse(domain);
        StanzaError error = StanzaError.of(rejected.condition(), rejected.text());
        LOG.info("XMPP component {}: refused {} id={} from={}: {} ({})", domain, element.name(), id(element),
                LogText.of(from.get()), rejected.condition().elementName(), LogText.of(rejected.text()));
        writeStanza(ctx, StanzaErrors.errorReply(element, error, replyFrom, true));
    }

    private void onIq(ChannelHandlerContext ctx, XmlElement element) {
        Optional<XmlElement> reply = iqResponder.respond(element);
        if (reply.isPresent()) {
            LOG.debug("XMPP component {}: iq id={} type={} from={} answered with {}", domain, id(element),
                    attr(element, "type"), attr(element, "from"), reply.get().attribute("type").orElse(""));
            writeStanza(ctx, reply.get());
        } else {
            LOG.debug("XMPP component {}: ignored iq id={} type={} from={}", domain, id(element),
                    attr(element, "type"), attr(element, "from"));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            onReaderIdle(ctx, idle.isFirst());
            return;
        }
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.WRITER_IDLE) {
            if (state != State.CLOSING) {
                // RFC 6120 §4.6.1: whitespace keepalive.
                write(ctx, " ");
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * Nothing from the server for a ping interval. XEP-0199 §3: ping it; the ping goes to the component's
     * own domain, so it travels through the server and back and proves the whole path. If a whole interval
     * more passes with not a byte (Netty's "not first" idle event: nothing read since the last one), the
     * connection is dead however TCP sees it: close and reconnect.
     */
    private void onReaderIdle(ChannelHandlerContext ctx, boolean firstSinceLastRead) {
        if (state != State.UP) {
            return;
        }
        if (!firstSinceLastRead) {
            reason = "no answer from " + peer + " to an XMPP ping within " + settings.pingInterval().toMillis() + " ms";
            LOG.warn("XMPP component {}: {}; reconnecting", domain, reason);
            ctx.close();
            return;
        }
        String id = "isthmus-ping-" + (++pingCount);
        LOG.debug("XMPP component {}: idle for {} ms, sending ping id={}", domain, settings.pingInterval().toMillis(), id);
        write(ctx, "<iq type='get' id='" + id + "' from='" + XmlWriter.escapeAttribute(domain) + "' to='"
                + XmlWriter.escapeAttribute(domain) + "'><ping xmlns='urn:xmpp:ping'/></iq>");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reason = "I/O error: " + LogText.of(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        LOG.warn("XMPP component {}: connection to {} failed: {}", domain, peer, reason);
        ctx.close();
    }

    /**
     * Ends the stream from our side (RFC 6120 §4.4): the closing tag, then the TCP close when the
     * server answers with its own, or after {@link #CLOSE_WAIT_MILLIS}. Must run on the event loop.
     */
    ChannelFuture closeGracefully(String why) {
        if (state != State.CLOSING) {
            reason = why;
            closeStream(context);
        }
        return context.channel().closeFuture();
    }

    private void closeStream(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        write(ctx, CLOSE_TAG);
        ctx.executor().schedule(() -> ctx.close(), CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Ends the stream with our stream error (RFC 6120 §4.9.1.1). */
    private void fail(ChannelHandlerContext ctx, StreamError error) {
        reason = "sent stream error " + error;
        LOG.warn("XMPP component {}: closing the stream to {} with <{}/>: {}", domain, peer,
                error.condition().elementName(), LogText.of(error.text().orElse("")));
        state = State.CLOSING;
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), error.toXml() + CLOSE_TAG))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void writeStanza(ChannelHandlerContext ctx, XmlElement stanza) {
        write(ctx, XmlWriter.toXml(stanza, Namespaces.COMPONENT_ACCEPT));
    }

    private static void write(ChannelHandlerContext ctx, String xml) {
        ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), xml), ctx.voidPromise());
    }

    private static String id(XmlElement element) {
        return attr(element, "id");
    }

    private static String attr(XmlElement element, String name) {
        return LogText.of(element.attribute(name).orElse("-"));
    }
}
