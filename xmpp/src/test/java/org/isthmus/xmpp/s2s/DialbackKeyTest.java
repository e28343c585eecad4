package org.isthmus.xmpp.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DialbackKeyTest {

    @Test
    void keyMatchesXep0220Example1() {
        // XEP-0220 §2.1.1 example 1 (key generation per XEP-0185).
        DialbackKey key = new DialbackKey("s3cr3tf0rd14lb4ck");
        assertThat(key.generate("montague.example", "capulet.example", "D60000229F"))
                .isEqualTo("b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3");
    }

    @Test
    void verifyAcceptsOnlyTheSameTriple() {
        DialbackKey key = new DialbackKey("s3cr3tf0rd14lb4ck");
        String k = key.generate("montague.example", "capulet.example", "D60000229F");
        assertThat(key.verify("montague.example", "capulet.example", "D60000229F", "  " + k + "\n")).isTrue();
        assertThat(key.verify("montague.example", "capulet.example", "OTHERID", k)).isFalse();
        assertThat(key.verify("capulet.example", "montague.example", "D60000229F", k)).isFalse();
        assertThat(new DialbackKey("another secret").verify("montague.example", "capulet.example", "D60000229F", k))
                .isFalse();
    }
}
