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

    /** RFC 3261 §19.1.3: the example SIP and SIPS URIs, with the parts the gateway reads from each. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "sip:alice@atlanta.com|alice|atlanta.com|sip:alice@atlanta.com",
        "sip:alice:secretword@atlanta.com;transport=tcp|alice|atlanta.com|sip:alice@atlanta.com;transport=tcp",
        "sips:alice@atlanta.com?subject=project%20x&priority=urgent|alice|atlanta.com|sips:alice@atlanta.com",
        "sip:+1-212-555-1212:1234@gateway.com;user=phone|+1-212-555-1212|gateway.com|sip:+1-212-555-1212@gateway.com;user=phone",
        "sips:1212@gateway.com|1212|gateway.com|sips:1212@gateway.com",
        "sip:alice@192.0.2.4|alice|192.0.2.4|sip:alice@192.0.2.4",
        "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com||atlanta.com|sip:atlanta.com;method=REGISTER",
        "sip:alice;day=tuesday@atlanta.com|alice;day=tuesday|atlanta.com|sip:alice;day=tuesday@atlanta.com",
    })
    void rfc3261_s19_1_3_examples(String text, String user, String host, String canonical) {
        SipUri uri = SipUri.parse(text).orThrow();
        assertThat(uri.user()).isEqualTo(java.util.Optional.ofNullable(user));
        assertThat(uri.host()).isEqualTo(host);
        assertThat(uri).hasToString(canonical);
        assertThat(SipUri.parse(uri.toString()).orThrow()).isEqualTo(uri);
    }

    /** RFC 3261 §19.1.1: "sip:+1-212-555-1212:1234@gateway.com;user=phone" names a telephone number. */
    @Test
    void rfc3261_s19_1_1_userPhone() {
        SipUri uri = SipUri.parse("sip:+1-212-555-1212:1234@gateway.com;user=phone").orThrow();
        assertThat(uri.isTelephoneNumber()).isTrue();
        assertThat(uri.telephoneNumber().orThrow()).hasToString("tel:+12125551212");
        assertThat(SipUri.parse("sip:+12125551212@gateway.com").orThrow().isTelephoneNumber()).isFalse();
    }

    /** RFC 3261 §19.1.6: the telephone-subscriber, parameters included, is the user part of a user=phone URI. */
    @Test
    void rfc3261_s19_1_6_telUrlInUserPart() {
        SipUri uri = SipUri.parse("sip:+358-555-1234567;postd=pp22@foo.com;user=phone").orThrow();
        assertThat(uri.user()).contains("+358-555-1234567;postd=pp22");
        assertThat(uri.telephoneNumber().orThrow()).isEqualTo(TelUri.parse("tel:+358-555-1234567;postd=pp22").orThrow());
        assertThat(uri.parameter("postd")).isEmpty();
    }

    /** RFC 3261 §19.1.1: a parameter name appears at most once; §19.1.2: no escapes in a host. */
    @ParameterizedTest
    @ValueSource(strings = {"sip:a@host;transport=udp;transport=tcp", "sip:a@ho%73t", "sip:a@under_score.example",
            "sip:a@xn--zz.example", "sip:a@[::1%25eth0]", "sip:a@[1::2::3]", "sip:a@256.1.1.1", "sip:a b@host",
            "sip:a\"b@host", "sip:a@host;na me=x", "sip:\u00FC@host", "sip:a@host;p=\u00FC"})
    void rfc3261_s25_1_invalidUris(String text) {
        assertThat(SipUri.parse(text).isOk()).isFalse();
    }

    /** Hosts are held in one form: A-labels for names (RFC 3261 §25.1 is ASCII), RFC 5952 for IPv6. */
    @ParameterizedTest
    @CsvSource({
        "sip:a@XN--BCHER-KVA.Example, xn--bcher-kva.example",
        "sip:a@[2001:DB8:0:0::1]:5060, [2001:db8::1]",
        "sip:a@example.com., example.com",
    })
    void hostsAreCanonical(String text, String host) {
        assertThat(SipUri.parse(text).orThrow().host()).isEqualTo(host);
    }

    /** RFC 3261 §19.1.3: "?" belongs to the user part when it comes before the "@". */
    @Test
    void questionMarkInUserIsNotAHeader() {
        SipUri uri = SipUri.parse("sip:who?me@host.example?subject=x").orThrow();
        assertThat(uri.user()).contains("who?me");
        assertThat(uri).hasToString("sip:who?me@host.example");
    }

    /** RFC 7247 §6.3: a non-ASCII gr value is percent-encoded as UTF-8. */
    @Test
    void rfc7247_s6_3_grIsPercentEncoded() {
        SipUri uri = SipUri.of("juliet", "example.com").withParameter("gr", "b\u00E4lcony");
        assertThat(uri).hasToString("sip:juliet@example.com;gr=b%C3%A4lcony");
        assertThat(SipUri.parse(uri.toString()).orThrow().parameter("gr")).contains("b\u00E4lcony");
    }
}
