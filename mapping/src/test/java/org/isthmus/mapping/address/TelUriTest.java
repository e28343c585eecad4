package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

class TelUriTest {

    /** RFC 3966 §6: the three example URIs, in the form §4 compares. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tel:+1-201-555-0123|+12015550123||tel:+12015550123",
        "tel:7042;phone-context=example.com|7042|example.com|tel:7042;phone-context=example.com",
        "tel:863-1234;phone-context=+1-914-555|8631234|+1914555|tel:8631234;phone-context=+1914555",
    })
    void rfc3966_s6_examples(String text, String number, String context, String canonical) {
        TelUri tel = TelUri.parse(text).orThrow();
        assertThat(tel.number()).isEqualTo(number);
        assertThat(tel.phoneContext()).isEqualTo(Optional.ofNullable(context));
        assertThat(tel.isGlobal()).isEqualTo(context == null);
        assertThat(tel).hasToString(canonical);
        assertThat(AddressUri.parse(text).orThrow()).isEqualTo(tel);
    }

    /**
     * RFC 3261 §19.1.6: "tel:+358-555-1234567;postd=pp22" and "...;POSTD=PP22" are equivalent, and so
     * are the two orders of isub and postd; RFC 3966 §4 compares without case or order.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tel:+358-555-1234567;postd=pp22|tel:+358-555-1234567;POSTD=PP22",
        "tel:+358-555-1234567;postd=pp22;isub=1411|tel:+358-555-1234567;isub=1411;postd=pp22",
    })
    void rfc3261_s19_1_6_equivalentTelUrls(String a, String b) {
        assertThat(TelUri.parse(a).orThrow()).isEqualTo(TelUri.parse(b).orThrow());
        assertThat(TelUri.parse(a).orThrow()).hasToString(TelUri.parse(b).orThrow().toString());
    }

    /** RFC 3966 §3: isdn-subaddress and extension first, then the context, then the others by name. */
    @Test
    void rfc3966_s3_parameterOrder() {
        TelUri tel = TelUri.parse("tel:7042;x-b=2;phone-context=Example.COM;ext=1-2;x-a=1").orThrow();
        assertThat(tel).hasToString("tel:7042;ext=12;phone-context=example.com;x-a=1;x-b=2");
        assertThat(tel.extension()).contains("12");
    }

    /** RFC 3966 §5.1.5: a local number needs its context; a global one takes none. */
    @ParameterizedTest
    @ValueSource(strings = {"tel:7042", "tel:+1-201-555-0123;phone-context=example.com", "tel:", "tel:+", "tel:--",
            "tel:+12a", "tel:7042;phone-context=", "tel:7042;phone-context=exa_mple.com", "tel:+1;ext=",
            "tel:+1;ext=12a", "tel:+1;a=1;a=2", "tel:+1 2", "tel:+1;na*me=1"})
    void rfc3966_s3_invalid(String text) {
        Mapped<TelUri> tel = TelUri.parse(text);
        assertThat(tel.isOk()).isFalse();
        assertThat(((Mapped.Failed<TelUri>) tel).rejected().condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
    }

    @Test
    void otherSchemesAreUnsupported() {
        Mapped<AddressUri> uri = AddressUri.parse("mailto:juliet@example.com");
        Mapped.Failed<AddressUri> failed = (Mapped.Failed<AddressUri>) uri;
        assertThat(failed.rejected().condition()).isEqualTo(StanzaErrorCondition.NOT_ACCEPTABLE);
        assertThat(failed.rejected().sipStatus().orElseThrow().code()).isEqualTo(416);
        assertThat(AddressUri.parse("juliet@example.com").isOk()).isFalse();
    }
}
