package org.isthmus.mapping.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes XEP-0106 escaping with arbitrary UTF-8 text: unescaping undoes escaping (§4.2, §4.3), and the
 * escaped form holds none of the characters a localpart forbids (RFC 7622 §3.3.1) including the space.
 */
class JidEscapingFuzzTest {

    @FuzzTest
    void escape(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        String escaped = JidEscaping.escape(text);
        assertThat(JidEscaping.unescape(escaped)).isEqualTo(text);
        assertThat(escaped).doesNotContain(" ", "\"", "&", "'", "/", ":", "<", ">", "@");
        JidEscaping.unescape(text);
    }
}
