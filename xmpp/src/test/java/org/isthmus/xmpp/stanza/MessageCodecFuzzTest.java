package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * Fuzzes {@link MessageCodec} with the stanzas of arbitrary bytes read from a component stream: every
 * {@code <message/>} gives a message or a rejection, and a message written back to the wire reads as
 * the same message (RFC 6121 §5.2), the one-pass writer's text being the element writer's.
 */
class MessageCodecFuzzTest {

    @FuzzTest
    void fromElement(byte[] input) {
        for (XmlElement stanza : WireFuzzing.stanzas(input, "message")) {
            if (MessageCodec.fromElement(stanza) instanceof Mapped.Ok<XmppMessage> ok) {
                XmlElement written = MessageCodec.toElement(ok.value(), WireFuzzing.NS);
                assertThat(MessageCodec.toXml(ok.value(), WireFuzzing.NS, WireFuzzing.NS))
                        .isEqualTo(written.toXml(WireFuzzing.NS));
                assertThat(MessageCodec.fromElement(WireFuzzing.reread(written)).orThrow()).isEqualTo(ok.value());
            }
        }
    }
}
