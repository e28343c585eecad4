package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /**
     * RFC 7622 §3.3 and §3.2: the localpart is case-mapped, the domain lower-cased, a trailing dot (in any
     * form IDNA maps to one) dropped.
     */
    @Test
    void preparedFormsAreCompared() {
        assertThat(Jid.parse("Juliet@Example.COM.").orThrow()).isEqualTo(Jid.parse("juliet@example.com").orThrow());
        assertThat(Jid.parse("juliet@example.com\u3002").orThrow()).isEqualTo(Jid.parse("juliet@example.com").orThrow());
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
        assertThat(Jid.parse("a@\uFF11\uFF19\uFF12\u30020.2.1").orThrow().domain()).isEqualTo("192.0.2.1");
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

    /** RFC 7622 §3.5 Table 1: a sample of legal JIDs, with the parts each one holds once prepared. */
    @ParameterizedTest(name = "example {0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "1|juliet@example.com|juliet|example.com|",
        "2|juliet@example.com/foo|juliet|example.com|foo",
        "3|juliet@example.com/foo bar|juliet|example.com|foo bar",
        "4|juliet@example.com/foo@bar|juliet|example.com|foo@bar",
        "5|foo\\20bar@example.com|foo\\20bar|example.com|",
        "6|fussball@example.com|fussball|example.com|",
        "7|fu\u00DFball@example.com|fu\u00DFball|example.com|",
        "8|\u03C0@example.com|\u03C0|example.com|",
        "9|\u03A3@example.com/foo|\u03C3|example.com|foo",
        "10|\u03C3@example.com/foo|\u03C3|example.com|foo",
        "11|\u03C2@example.com/foo|\u03C2|example.com|foo",
        "12|king@example.com/\u265A|king|example.com|\u265A",
        "13|example.com||example.com|",
        "14|example.com/foobar||example.com|foobar",
        "15|a.example.com/b@example.net||a.example.com|b@example.net",
    })
    void rfc7622_s3_5_table1(int example, String text, String local, String domain, String resource) {
        Jid jid = Jid.parse(text).orThrow();
        assertThat(jid.local()).isEqualTo(Optional.ofNullable(local));
        assertThat(jid.domain()).isEqualTo(domain);
        assertThat(jid.resource()).isEqualTo(Optional.ofNullable(resource));
        assertThat(Jid.parse(jid.toString()).orThrow()).isEqualTo(jid);
    }

    /** RFC 7622 §3.5: examples 6 and 7 differ, 9 and 10 match, 11 matches neither. */
    @Test
    void rfc7622_s3_5_comparisons() {
        assertThat(Jid.parse("fussball@example.com").orThrow()).isNotEqualTo(Jid.parse("fu\u00DFball@example.com").orThrow());
        assertThat(Jid.parse("\u03A3@example.com/foo").orThrow()).isEqualTo(Jid.parse("\u03C3@example.com/foo").orThrow());
        assertThat(Jid.parse("\u03C2@example.com/foo").orThrow()).isNotEqualTo(Jid.parse("\u03C3@example.com/foo").orThrow());
    }

    /** RFC 7622 §3.5 Table 2: strings that are not JIDs. */
    @ParameterizedTest(name = "example {0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "16|\"juliet\"@example.com",
        "17|foo bar@example.com",
        "18|juliet@example.com/ foo",
        "19|@example.com/",
        "20|henry\u2163@example.com",
        "21|\u265A@example.com",
        "22|juliet@",
        "23|/foobar",
    })
    void rfc7622_s3_5_table2(int example, String text) {
        Mapped<Jid> jid = Jid.parse(text);
        assertThat(jid.isOk()).as("example %d", example).isFalse();
        assertThat(((Mapped.Failed<Jid>) jid).rejected().condition()).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    /** RFC 7622 §3.2: IP literals are checked and held in one form (RFC 3986 §3.2.2, RFC 5952 §4). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "a@192.0.2.1, 192.0.2.1",
        "a@[2001:DB8:0:0:0:0:0:1], [2001:db8::1]",
        "a@[2001:db8::0:1], [2001:db8::1]",
        "a@[2001:db8:0:0:1:0:0:1], [2001:db8::1:0:0:1]",
        "a@[0:0:0:0:0:0:0:0], [::]",
        "a@[::ffff:192.0.2.1], [::ffff:192.0.2.1]",
        "a@[::FFFF:C000:0201], [::ffff:192.0.2.1]",
        "a@[2001:db8:0:1:1:1:1:1], [2001:db8:0:1:1:1:1:1]",
    })
    void rfc7622_s3_2_ipLiterals(String text, String domain) {
        assertThat(Jid.parse(text).orThrow().domain()).isEqualTo(domain);
    }

    /** RFC 7622 §3.2 and RFC 1034 §3.1: label and name lengths, IPv4 syntax, the Bidi rule (RFC 5893). */
    @ParameterizedTest
    @ValueSource(strings = {"a@192.0.2.256", "a@192.0.2", "a@192.0.02.1", "a@1.2.3.4.5", "a@[1::2::3]", "a@[::1%25eth0]",
            "a@[12345::]", "a@[1:2:3:4:5:6:7:8:9]", "a@[1:2:3:4:5:6:7]", "a@[::1.2.3]", "a@under_score.example",
            "a@-lead.example", "a@trail-.example", "a@ab--cd.example", "a@xn--zz.example", "a@a..b", "a@example..",
            "a@example.\u3002", "a@2\u30020", "a@example.\u034F",
            "a@\u05D0a.example", "a@exa\u200Dmple.com"})
    void rfc7622_s3_2_invalidDomainsAreRejected(String text) {
        assertThat(Jid.parse(text).isOk()).isFalse();
    }

    @Test
    void rfc1034_s3_1_labelAndNameLengths() {
        assertThat(Jid.parse("a@" + "x".repeat(63) + ".example").isOk()).isTrue();
        assertThat(Jid.parse("a@" + "x".repeat(64) + ".example").isOk()).isFalse();
        String name253 = ("x".repeat(62) + ".").repeat(4) + "x".repeat(253 - 63 * 4);
        assertThat(name253).hasSize(253);
        assertThat(Jid.parse("a@" + name253).isOk()).isTrue();
        assertThat(Jid.parse("a@" + name253 + "x").isOk()).isFalse();
        // The same limits in a name that goes through IDNA (it has a U-label).
        assertThat(Jid.parse("a@b\u00FCcher." + "x".repeat(63)).isOk()).isTrue();
        assertThat(Jid.parse("a@b\u00FCcher." + "x".repeat(64)).isOk()).isFalse();
        assertThat(Jid.parse("a@b\u00FCcher." + name253.substring(5)).isOk()).isFalse();
    }

    /** RFC 5893 via UTS #46: a right-to-left label is fine on its own. */
    @Test
    void rfc5893_rightToLeftLabel() {
        assertThat(Jid.parse("a@\u05D0\u05D1.example").orThrow().domain()).isEqualTo("\u05D0\u05D1.example");
    }

    @Test
    void resourceAndDomainOverTheLimitAreRejected() {
        assertThat(Jid.of("a", "example.com", "r".repeat(1023)).isOk()).isTrue();
        assertThat(Jid.of("a", "example.com", "r".repeat(1024)).isOk()).isFalse();
        assertThat(Jid.of("a", "example.com", "r".repeat(100_000)).isOk()).isFalse();
        assertThat(Jid.of("a".repeat(100_000), "example.com", null).isOk()).isFalse();
    }
}
