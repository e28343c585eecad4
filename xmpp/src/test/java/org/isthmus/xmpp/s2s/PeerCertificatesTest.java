package org.isthmus.xmpp.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeerCertificatesTest {

    /** RFC 6125 §6.4.1 and §6.4.3: exact match, case-insensitive; '*' only as a whole leftmost label. */
    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "example.com, example.com, true",
            "EXAMPLE.com., example.com, true",
            "*.example.com, im.example.com, true",
            "*.example.com, example.com, false",
            "*.example.com, a.b.example.com, false",
            "*.com, example.com, false",
            "im*.example.com, im1.example.com, false",
            "other.example, example.com, false",
    })
    void dnsIdMatching(String presented, String reference, boolean matches) {
        assertThat(PeerCertificates.dnsIdMatches(presented, reference)).isEqualTo(matches);
    }
}
