package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/** Stanzas for codec tests, read through the real decoder as they arrive from the wire. */
final class WireStanzas {

    private WireStanzas() {
    }

    /** The one stanza in {@code stanza}, read on a stream whose content namespace is {@code namespace}. */
    static XmlElement read(String namespace, String stanza) {
        String stream = "<stream:stream xmlns='" + namespace + "' xmlns:stream='" + Namespaces.STREAMS + "'>" + stanza;
        EmbeddedChannel channel = new EmbeddedChannel(new XmppStreamDecoder());
        channel.writeInbound(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        Object open = channel.readInbound();
        assertThat(open).isInstanceOf(StreamEvent.Open.class);
        StreamEvent.Element element = channel.readInbound();
        Object rest = channel.readInbound();
        assertThat(rest).isNull();
        channel.finishAndReleaseAll();
        return element.element();
    }
}
