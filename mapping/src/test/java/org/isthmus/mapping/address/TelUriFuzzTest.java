package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;

/**
 * Fuzzes {@link TelUri#parse} (RFC 3966 §3) with arbitrary UTF-8 text, also read as the user part of a
 * {@code user=phone} SIP URI: a number or a rejection in bounded time, and a number's canonical text
 * (RFC 3966 §4) parses back to the same number.
 */
class TelUriFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        TelUri.parseSubscriber(text);
        Mapped<TelUri> parsed = TelUri.parse(text);
        if (parsed instanceof Mapped.Ok<TelUri> ok) {
            assertThat(TelUri.parse(ok.value().toString())).isEqualTo(parsed);
            assertThat(TelUri.parseSubscriber(ok.value().subscriber())).isEqualTo(parsed);
        }
    }
}
