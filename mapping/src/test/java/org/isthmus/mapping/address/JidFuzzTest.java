package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

import org.isthmus.mapping.Mapped;

/**
 * Fuzzes {@link Jid#parse} (RFC 7622) with arbitrary UTF-8 text: a JID or a rejection in bounded time,
 * and a JID's string form parses back to the same JID (preparation is idempotent, RFC 7622 §3).
 */
class JidFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        Mapped<Jid> parsed = Jid.parse(new String(input, StandardCharsets.UTF_8));
        if (parsed instanceof Mapped.Ok<Jid> ok) {
            Jid jid = ok.value();
            assertThat(Jid.parse(jid.toString())).isEqualTo(parsed);
            assertThat(Jid.parse(jid.bare().toString()).orThrow()).isEqualTo(jid.bare());
        }
    }
}
