package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;

/**
 * Fuzzes {@link SipUri#parse} (RFC 3261 §19.1, §25.1) with arbitrary UTF-8 text: a URI or a rejection in
 * bounded time; a URI's canonical text parses back to the same URI, and so does its address of record;
 * reading its user part as a telephone number gives a number or a rejection.
 */
class SipUriFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        Mapped<SipUri> parsed = SipUri.parse(new String(input, StandardCharsets.UTF_8));
        if (parsed instanceof Mapped.Ok<SipUri> ok) {
            SipUri uri = ok.value();
            assertThat(SipUri.parse(uri.toString())).isEqualTo(parsed);
            assertThat(SipUri.parse(uri.addressOfRecord().toString()).orThrow()).isEqualTo(uri.addressOfRecord());
            uri.telephoneNumber();
            ImUri.fromSip(uri);
        }
    }
}
