package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImUriTest {

    /** RFC 3860 §3 ("im:fred@example.com") and RFC 3859 §3 ("pres:fred@example.com"). */
    @Test
    void rfc3860_s3_and_rfc3859_s3_examples() {
        ImUri im = ImUri.parse("im:fred@example.com").orThrow();
        assertThat(im).isEqualTo(new ImUri("fred", "example.com", Optional.empty()));
        assertThat(im).hasToString("im:fred@example.com");
        PresUri pres = PresUri.parse("pres:fred@example.com").orThrow();
        assertThat(pres).isEqualTo(im.toPres());
        assertThat(pres).hasToString("pres:fred@example.com");
        assertThat(AddressUri.parse("im:fred@example.com").orThrow()).isEqualTo(im);
        assertThat(AddressUri.parse("pres:fred@example.com").orThrow()).isEqualTo(pres);
    }

    /** RFC 3922 §4.2.1: the CPIM From header with a Formal-name; the address is what is inside the brackets. */
    @Test
    void rfc3922_s4_2_1_formalNameIsNotPartOfTheAddress() {
        assertThat(ImUri.parse("Romeo Montague <im:romeo@example.net>").orThrow())
                .isEqualTo(new ImUri("romeo", "example.net", Optional.empty()));
    }

    /**
     * RFC 3922 §3.1: "&amp;", "'" and "/" ("#26;", "#27;" and "#2f;" in its notation, which names a
     * character by its hex code) may stand unescaped in an im:/pres: local part; non-ASCII may not,
     * and is percent-encoded (§3.2 step 4, RFC 7247 §6.5 step 5).
     */
    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource(delimiter = '|', value = {
        "m&m|im:m&m@example.com",
        "o'malley|im:o'malley@example.com",
        "a/b|im:a/b@example.com",
        "tsch\u00FCss|im:tsch%C3%BCss@example.com",
        "(a),b.c;[d]|im:%28a%29%2Cb%2Ec%3B%5Bd%5D@example.com",
        "sp ace|im:sp%20ace@example.com",
        "who?|im:who%3F@example.com",
    })
    void rfc3922_s3_and_rfc7247_s6_5_step5_localPartEncoding(String user, String text) {
        ImUri im = new ImUri(user, "example.com", Optional.empty());
        assertThat(im).hasToString(text);
        assertThat(ImUri.parse(text).orThrow()).isEqualTo(im);
    }

    /**
     * RFC 3922 §3.2 step 4 percent-encodes every byte outside A-Za-z0-9!$*.?_~+= (so also "-", "&amp;",
     * "'", "/"); RFC 7247 §6.5 step 5 a smaller set. Both spellings read as the same address.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "im:jean%2Dluc%26co@example.com|im:jean-luc&co@example.com",
        "pres:o%27malley@example.com|pres:o'malley@example.com",
        "im:john.doe@example.com|im:john%2Edoe@example.com",
    })
    void rfc3922_s3_2_step4_spellingsAreEquivalent(String rfc3922, String rfc7247) {
        assertThat(AddressUri.parse(rfc3922).orThrow()).isEqualTo(AddressUri.parse(rfc7247).orThrow());
    }

    /** XEP-0106 §5.4 examples 24 and 30: im: and pres: URIs with escaped local parts. */
    @Test
    void xep0106_s5_4_examples24and30() {
        ImUri im = ImUri.parse("im:here%27s_a_wild_%26_%2Fcr%25zy%2F_address@example.com").orThrow();
        assertThat(im.user()).isEqualTo("here's_a_wild_&_/cr%zy/_address");
        assertThat(im.toPres()).isEqualTo(PresUri.parse("pres:here%27s_a_wild_%26_%2Fcr%25zy%2F_address@example.com").orThrow());
        assertThat(im.toPres()).hasToString("pres:here's_a_wild_&_/cr%25zy/_address@example.com");
    }

    /**
     * XEP-0106 §5.4 example 24 as printed has "cr%zy", a "%" not followed by two hex digits, which
     * RFC 3986 §2.1 does not allow; it is refused rather than guessed at.
     */
    @Test
    void xep0106_s5_4_example24_asPrintedIsNotAUri() {
        assertThat(ImUri.parse("im:here%27s_a_wild_%26_%2Fcr%zy%2F_address@example.com").isOk()).isFalse();
    }

    @Test
    void idnHostIsHeldInULabelsAndWrittenInALabels() {
        ImUri im = ImUri.parse("im:fred@XN--BCHER-KVA.example").orThrow();
        assertThat(im.host()).isEqualTo("b\u00FCcher.example");
        assertThat(im).hasToString("im:fred@xn--bcher-kva.example");
        assertThat(new ImUri("fred", "B\u00FCcher.Example", Optional.empty())).isEqualTo(im);
    }

    @ParameterizedTest
    @ValueSource(strings = {"im:", "im:@example.com", "im:fred@", "im:fred", "im:fr ed@example.com", "im:fr<d@example.com",
            "im:fr\"d@example.com", "im:f%C3@example.com", "im:fred@exa_mple.com", "sip:fred@example.com",
            "pres:fred@example.com", "im:fr\u00FCd@example.com"})
    void malformedImUrisAreRejected(String text) {
        assertThat(ImUri.parse(text).isOk()).isFalse();
    }
}
