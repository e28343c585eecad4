package org.isthmus.xmpp.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class XmlWriterTest {

    private static final String NS = Namespaces.COMPONENT_ACCEPT;

    @Test
    void escapesTheFiveMarkupCharactersInAttributesAndTheUnsafeOnesInText() {
        XmlElement e = XmlElement.builder(NS, "m").attribute("a", "<'\"&>").text("<'\"&>").build();
        assertThat(e.toXml(NS)).isEqualTo("<m a='&lt;&apos;&quot;&amp;&gt;'>&lt;'\"&amp;&gt;</m>");
    }

    @Test
    void dropsCharactersXml10ForbidsAndKeepsSupplementaryCharacters() {
        String text = "a\u0000b\u0001c\u001Fd\uFFFEe\uFFFFf\uD800g\uDC00h\uD83D\uDE00i\t\n";
        XmlElement e = XmlElement.builder(NS, "m").attribute("v", text).text(text).build();
        assertThat(e.toXml(NS)).isEqualTo("<m v='abcdefgh\uD83D\uDE00i&#x9;&#xA;'>abcdefgh\uD83D\uDE00i\t\n</m>");
    }

    @Test
    void keepsCarriageReturnsAsCharacterReferences() {
        assertThat(XmlWriter.escapeText("a\r\nb")).isEqualTo("a&#xD;\nb");
    }

    @Test
    void declaresANamespaceOnlyWhereItChanges() {
        XmlElement e = XmlElement.builder(NS, "message")
                .attribute("xml:lang", "en")
                .child(XmlElement.builder(NS, "body").text("hi").build())
                .child(XmlElement.builder("urn:x", "x").child(XmlElement.builder("urn:x", "y").build()).build())
                .build();
        assertThat(e.toXml(NS)).isEqualTo(
                "<message xml:lang='en'><body>hi</body><x xmlns='urn:x'><y/></x></message>");
        assertThat(e.toXml("")).startsWith("<message xmlns='jabber:component:accept' xml:lang='en'>");
    }

    @Test
    void writesWhatTheDecoderReadsBackUnchanged() {
        XmlElement e = XmlElement.builder(NS, "message")
                .attribute("to", "a&b<c>'\"\t\r\n")
                .attribute("{urn:x}flag", "1")
                .child(XmlElement.builder(NS, "body").text("]]> & <tag> ' \" \r\n \uD83D\uDE00 Ünïcödé").build())
                .build();
        String stream = "<stream:stream xmlns='" + NS + "' xmlns:stream='" + Namespaces.STREAMS + "'>" + e.toXml(NS);
        EmbeddedChannel channel = new EmbeddedChannel(new XmppStreamDecoder());
        channel.writeInbound(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        List<Object> events = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            events.add(o);
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(1)).isEqualTo(new StreamEvent.Element(e));
        channel.finishAndReleaseAll();
    }

    @Test
    void writesStreamErrorsWithTheirNamespaceAndEscapedText() {
        StreamError error = StreamError.of(StreamErrorCondition.NOT_AUTHORIZED, "bad <secret>");
        assertThat(error.toXml()).isEqualTo("<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>bad &lt;secret&gt;</text></stream:error>");
        XmlElement parsed = XmlElement.builder(Namespaces.STREAMS, "error")
                .child(XmlElement.builder(Namespaces.STREAM_ERRORS, "conflict").build())
                .child(XmlElement.builder(Namespaces.STREAM_ERRORS, "text").text("replaced").build())
                .build();
        assertThat(StreamError.fromElement(parsed)).contains(StreamError.of(StreamErrorCondition.CONFLICT, "replaced"));
    }
}
