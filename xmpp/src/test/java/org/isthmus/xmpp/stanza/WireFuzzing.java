package org.isthmus.xmpp.stanza;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.StreamEvent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/**
 * The stanzas fuzz input holds, read as they would arrive on a component stream, and an element
 * written and read back the same way; for the codec fuzz tests.
 */
final class WireFuzzing {

    /** The stream's content namespace (XEP-0114). */
    static final String NS = Namespaces.COMPONENT_ACCEPT;

    private static final byte[] HEADER = ("<stream:stream xmlns='" + NS + "' xmlns:stream='" + Namespaces.STREAMS + "'>")
            .getBytes(StandardCharsets.UTF_8);

    private WireFuzzing() {
    }

    /**
     * Every complete first-level element named {@code name} in the content namespace in {@code input},
     * read after a stream header; the edges hand only those to the codec of that name.
     */
    static List<XmlElement> stanzas(byte[] input, String name) {
        EmbeddedChannel channel = new EmbeddedChannel(new XmppStreamDecoder());
        channel.writeInbound(Unpooled.wrappedBuffer(HEADER), Unpooled.wrappedBuffer(input));
        channel.finish();
        List<XmlElement> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            if (o instanceof StreamEvent.Element e && e.element().is(NS, name)) {
                out.add(e.element());
            }
        }
        return out;
    }

    /** The element written as XML and read back through the decoder. */
    static XmlElement reread(XmlElement element) {
        List<XmlElement> back = stanzas(element.toXml(NS).getBytes(StandardCharsets.UTF_8), element.name());
        if (back.size() != 1) {
            throw new AssertionError("wrote " + element.toXml(NS) + ", read " + back);
        }
        return back.get(0);
    }
}
