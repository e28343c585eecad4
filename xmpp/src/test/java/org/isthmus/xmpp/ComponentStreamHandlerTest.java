package org.isthmus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.PresenceType;
import org.isthmus.mapping.presence.Show;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

class ComponentStreamHandlerTest {

    private static final String SERVER_HEADER = "<?xml version='1.0'?><stream:stream"
            + " xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept'"
            + " from='sip.example.net' id='3BF96D32'>";

    private final List<String> events = new ArrayList<>();
    private final List<XmppMessage> messages = new ArrayList<>();
    private final List<Object> presences = new ArrayList<>();
    private final ComponentSettings settings = new ComponentSettings("xmpp.example", 5347, "sip.example.net",
            "s3cr3t-ü", Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(10), 65536);

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new XmppStreamDecoder(), new ComponentStreamHandler(settings, new ComponentEvents() {
            @Override
            public void handshakeAccepted(Channel channel) {
                events.add("up");
            }

            @Override
            public void message(XmppMessage message) {
                messages.add(message);
            }

            @Override
            public void presence(XmppPresence presence) {
                presences.add(presence);
            }

            @Override
            public void subscription(XmppSubscription subscription) {
                presences.add(subscription);
            }

            @Override
            public void closed(Channel channel, String reason) {
                events.add("closed: " + reason);
            }
        }));
    }

    /** A channel whose handshake the server accepted, what it wrote until then read away. */
    private EmbeddedChannel upChannel() {
        EmbeddedChannel channel = channel();
        receive(channel, SERVER_HEADER + "<handshake/>");
        sent(channel);
        return channel;
    }

    private static void receive(EmbeddedChannel channel, String xml) {
        channel.writeInbound(Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8));
    }

    private static String sent(EmbeddedChannel channel) {
        StringBuilder sb = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    @Test
    void opensTheStreamAsXep0114Example1AndAnswersWithTheHandshakeDigest() {
        EmbeddedChannel channel = channel();
        assertThat(sent(channel)).isEqualTo("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept'"
                + " xmlns:stream='http://etherx.jabber.org/streams' to='sip.example.net'>");
        receive(channel, SERVER_HEADER);
        // SHA-1("3BF96D32" + "s3cr3t-ü") in lowercase hex, computed independently.
        assertThat(sent(channel)).isEqualTo("<handshake>3a1f8d709fbfd07f4a1b8074d1754301f7aaf2e3</handshake>");
        receive(channel, "<handshake/>");
        assertThat(events).containsExactly("up");
        channel.finishAndReleaseAll();
    }

    @Test
    void sendsAWhitespaceKeepaliveWhenOutboundIsIdle() {
        EmbeddedChannel channel = upChannel();
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        assertThat(sent(channel)).isEqualTo(" ");
        channel.finishAndReleaseAll();
    }

    @Test
    void closesOnAStreamErrorFromTheServerAndReportsItAsTheReason() {
        EmbeddedChannel channel = channel();
        receive(channel, SERVER_HEADER + "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bad secret</text></stream:error>");
        assertThat(sent(channel)).endsWith("</stream:stream>");
        receive(channel, "</stream:stream>");
        assertThat(channel.isOpen()).isFalse();
        assertThat(events).containsExactly("closed: stream error from the server: not-authorized (bad secret)");
    }

    @Test
    void refusesStanzasBeforeTheHandshakeWithNotAuthorized() {
        EmbeddedChannel channel = channel();
        receive(channel, SERVER_HEADER);
        sent(channel);
        receive(channel, "<message from='a@b' to='c@sip.example.net'/>");
        assertThat(sent(channel)).contains("<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>")
                .endsWith("</stream:stream>");
        assertThat(channel.isOpen()).isFalse();
        assertThat(messages).isEmpty();
    }

    @Test
    void closesWithRestrictedXmlWhenTheServerSendsAnEntityReference() {
        EmbeddedChannel channel = channel();
        receive(channel, SERVER_HEADER + "<handshake/><message from='a@b' to='c@sip.example.net'><body>&xxe;</body></message>");
        assertThat(sent(channel)).contains("<restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>");
        assertThat(channel.isOpen()).isFalse();
        assertThat(messages).isEmpty();
    }

    /** RFC 6120 §8.3.1: no error answers an error, and no answer goes to a stanza without a sender. */
    @Test
    void discardsAMalformedStanzaThatIsAnErrorOrHasNoReplyAddress() {
        EmbeddedChannel channel = upChannel();
        receive(channel, "<message to='c@sip.example.net'><body>x</body></message>"
                + "<message from='a@b' to='@@' type='error'/>"
                + "<presence from='a@b/c' to='@@' type='error'/><presence to='d@sip.example.net'/>"
                + "<presence from='@@' to='d@sip.example.net' type='bogus'/>");
        assertThat(sent(channel)).isEmpty();
        assertThat(messages).isEmpty();
        assertThat(presences).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    void failsStanzaWritesBeforeTheHandshakeAndAfterTheStreamStartedClosing() {
        EmbeddedChannel channel = channel();
        sent(channel);
        ChannelFuture early = channel.writeAndFlush(Unpooled.copiedBuffer("<message/>", StandardCharsets.UTF_8));
        assertThat(early.cause()).isInstanceOf(XmppException.class);
        receive(channel, SERVER_HEADER + "<handshake/>");
        sent(channel);
        ChannelFuture ok = channel.writeAndFlush(Unpooled.copiedBuffer("<message/>", StandardCharsets.UTF_8));
        assertThat(ok.isSuccess()).isTrue();
        assertThat(sent(channel)).isEqualTo("<message/>");
        channel.pipeline().get(ComponentStreamHandler.class).closeGracefully("test");
        assertThat(sent(channel)).isEqualTo("</stream:stream>");
        ChannelFuture late = channel.writeAndFlush(Unpooled.copiedBuffer("<message/>", StandardCharsets.UTF_8));
        assertThat(late.cause()).isInstanceOf(XmppException.class);
        assertThat(sent(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    /**
     * RFC 6120 §4.4 (2): after our closing tag the stanzas the server sent before reading it are still
     * processed; XEP-0114 has no acknowledgements, so dropping them would lose them without a trace. A bad
     * one is not answered: nothing may follow our closing tag.
     */
    @Test
    void stillDeliversWhatTheServerSentBeforeItReadOurClosingTag() {
        EmbeddedChannel channel = upChannel();
        channel.pipeline().get(ComponentStreamHandler.class).closeGracefully("test");
        assertThat(sent(channel)).isEqualTo("</stream:stream>");
        receive(channel, "<message from='a@b/c' to='d@sip.example.net' id='m1'><body>in flight</body></message>"
                + "<presence from='a@b/c' to='d@sip.example.net' id='p1' type='available'/>"
                + "<iq from='a@b/c' to='sip.example.net' id='i1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).body()).isPresent();
        assertThat(presences).isEmpty();
        assertThat(sent(channel)).isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void deliversPresenceAndSubscriptionStanzasAndAnswersNothing() {
        EmbeddedChannel channel = upChannel();
        receive(channel, "<presence from='a@b/c' to='d@sip.example.net'><show>away</show></presence>"
                + "<presence from='a@b' to='d@sip.example.net' type='subscribe'/>"
                + "<presence from='a@b/c' to='d@sip.example.net' type='error'/>");
        assertThat(sent(channel)).isEmpty();
        assertThat(presences).hasSize(3);
        assertThat(((XmppPresence) presences.get(0)).show()).contains(Show.AWAY);
        assertThat(((XmppSubscription) presences.get(1)).type()).isEqualTo(XmppSubscriptionType.SUBSCRIBE);
        assertThat(((XmppPresence) presences.get(2)).type()).isEqualTo(PresenceType.ERROR);
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    /** RFC 6121 §4.7.1 and RFC 6120 §8.3.3.1: an unknown type is answered with bad-request, from the 'to'. */
    @Test
    void answersABadPresenceWithBadRequestAndDeliversNothing() {
        EmbeddedChannel channel = upChannel();
        receive(channel, "<presence from='a@b/c' to='d@sip.example.net' id='p1' type='available'/>");
        assertThat(sent(channel)).isEqualTo("<presence from='d@sip.example.net' to='a@b/c' id='p1' type='error'>"
                + "<error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>presence type is not one of RFC 6121 §4.7.1</text>"
                + "</error></presence>");
        assertThat(presences).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }
}
