package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

class JidTest {

    @Test
    void parsesAllThreeParts() {
        Jid jid = Jid.parse("juliet@example.com/balcony").orThrow();
        assertThat(jid.local()).contains("juliet");
        assertThat(jid.domain()).isEqualTo("example.com");
        assertThat(jid.resource()).contains("balcony");
        assertThat(jid).hasToString("juliet@example.com/balcony");
        assertThat(jid.bare()).hasToString("juliet@example.com");
    }

    /** RFC 7622 §3.1: the resource may contain '@' and '/'; the first '/' separates it. */
    @Test
    void rfc7622_s3_1_resourceMayHoldAtAndSlash() {
        Jid jid = Jid.parse("juliet@example.com/foo@bar/baz").orThrow();
        assertThat(jid.resource()).contains("foo@bar/baz");
        assertThat(Jid.parse("example.com/foo@bar").orThrow().local()).isEmpty();
    }

    /** RFC 7622 §3.3 and §3.2: the localpart is case-mapped, the domain lower-cased, a trailing dot dropped. */
    @Test
    void preparedFormsAreCompared() {
        assertThat(Jid.parse("Juliet@Example.COM.").orThrow()).isEqualTo(Jid.parse("juliet@example.com").orThrow());
        assertThat(Jid.parse("Ðöñ@example.com").orThrow().local()).contains("ðöñ");
    }

    /** RFC 7622 §3.2: an IDN domain is held in U-labels. */
    @Test
    void idnDomainIsHeldAsULabels() {
        assertThat(Jid.parse("x@xn--bcher-kva.example").orThrow().domain()).isEqualTo("bücher.example");
    }

    @Test
    void ipLiteralsAreDomains() {
        assertThat(Jid.parse("a@[::1]").orThrow().domain()).isEqualTo("[::1]");
        assertThat(Jid.parse("a@127.0.0.1").orThrow().domain()).isEqualTo("127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "@example.com", "a@", "a@example.com/", "a\"b@example.com", "a<b@example.com",
            "a:b@example.com", "a b@example.com", "a@exa mple.com", "a@[zz]"})
    void rfc7622_malformedAddressesAreRejected(String text) {
        Mapped<Jid> jid = Jid.parse(text);
        assertThat(jid).isInstanceOf(Mapped.Failed.class);
        assertThat(((Mapped.Failed<Jid>) jid).rejected().condition()).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    /** RFC 7622 §3.3: at most 1023 octets after preparation. */
    @Test
    void overLongLocalpartIsRejected() {
        assertThat(Jid.of("a".repeat(1023), "example.com", null).isOk()).isTrue();
        assertThat(Jid.of("a".repeat(1024), "example.com", null).isOk()).isFalse();
        assertThat(Jid.of("é".repeat(512), "example.com", null).isOk()).isFalse();
    }

    @Test
    void escapedLocalpartIsValid() {
        assertThat(Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow().local()).isEqualTo(Optional.of("bob\\40sip.test"));
    }
}
