package org.isthmus.xmpp.stanza;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * Fuzzes {@link PresenceCodec} with the stanzas of arbitrary bytes read from a component stream: every
 * {@code <presence/>} gives a presence, a subscription or a rejection, and a value written back to the
 * wire reads as the same value (RFC 6121 §4, §3).
 */
class PresenceCodecFuzzTest {

    @FuzzTest
    void fromElement(byte[] input) {
        for (XmlElement stanza : WireFuzzing.stanzas(input, "presence")) {
            if (PresenceCodec.fromElement(stanza) instanceof Mapped.Ok<PresenceCodec.Decoded> ok) {
                XmlElement written = ok.value() instanceof PresenceCodec.Availability a
                        ? PresenceCodec.toElement(a.presence(), WireFuzzing.NS)
                        : PresenceCodec.toElement(((PresenceCodec.Subscription) ok.value()).subscription(), WireFuzzing.NS);
                assertThat(PresenceCodec.fromElement(WireFuzzing.reread(written)).orThrow()).isEqualTo(ok.value());
            }
        }
    }
}
