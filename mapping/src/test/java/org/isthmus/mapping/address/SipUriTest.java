package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SipUriTest {

    @Test
    void parsesUserHostPortAndParameters() {
        SipUri uri = SipUri.parse("<sip:bob@Client.Example.com:5070;transport=TCP;lr?subject=x>").orThrow();
        assertThat(uri.user()).contains("bob");
        assertThat(uri.host()).isEqualTo("client.example.com");
        assertThat(uri.port()).isEqualTo(OptionalInt.of(5070));
        assertThat(uri.transport()).contains("tcp");
        assertThat(uri.parameter("lr")).contains("");
        assertThat(uri).hasToString("sip:bob@client.example.com:5070;transport=TCP;lr");
    }

    /** RFC 7247 §6.4 step 3 and §6.5 step 5: percent-decoded as UTF-8, re-encoded canonically. */
    @ParameterizedTest
    @CsvSource({
        "sip:f%C3%BC@sip.example, fü, sip:f%C3%BC@sip.example",
        "sip:f%c3%bc@sip.example, fü, sip:f%C3%BC@sip.example",
        "sip:o'malley@sip.example, o'malley, sip:o'malley@sip.example",
        "sip:m&m@xmpp.example, m&m, sip:m&m@xmpp.example",
        "sip:a%23b@x.example, a#b, sip:a%23b@x.example",
        "sip:%61lice@x.example, alice, sip:alice@x.example",
    })
    void userIsDecodedAndReEncoded(String text, String user, String canonical) {
        SipUri uri = SipUri.parse(text).orThrow();
        assertThat(uri.user()).contains(user);
        assertThat(uri).hasToString(canonical);
    }

    @Test
    void ipv6HostAndPasswordDropped() {
        SipUri uri = SipUri.parse("sips:alice:secret@[2001:db8::1]:5061").orThrow();
        assertThat(uri.secure()).isTrue();
        assertThat(uri.host()).isEqualTo("[2001:db8::1]");
        assertThat(uri).hasToString("sips:alice@[2001:db8::1]:5061");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tel:+15551234", "mailto:a@b", "sip:", "sip:@host", "sip:a@", "sip:a@host:99999",
            "sip:a@host:x", "sip:%ZZ@host", "sip:%C3@host", "sip:a@ho st", "sip:a@[::1"})
    void malformedOrForeignUrisAreRejected(String text) {
        assertThat(SipUri.parse(text).isOk()).isFalse();
    }

    @Test
    void addressOfRecordDropsPortAndParameters() {
        assertThat(SipUri.parse("sip:bob@sip.test:5070;transport=udp").orThrow().addressOfRecord())
                .hasToString("sip:bob@sip.test");
    }
}
