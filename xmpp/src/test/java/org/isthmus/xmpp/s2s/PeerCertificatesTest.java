package org.isthmus.xmpp.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

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

    /**
     * RFC 6120 §13.7.1.4: an XmppAddr otherName as X509Certificate.getSubjectAlternativeNames hands it
     * over: the OtherName SEQUENCE, with the GeneralName's [0] tag, or (JDK 17) with the value's [0]
     * EXPLICIT tag wrapped in one more [0]. Another otherName (here an SRVName) is no XmppAddr.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "sequence, 301906082b06010505070805a00d0c0b7369702e6578616d706c65, sip.example",
            "tagged, a01906082b06010505070805a00d0c0b7369702e6578616d706c65, sip.example",
            "JDK 17, 301b06082b06010505070805a00fa00d0c0b7369702e6578616d706c65, sip.example",
            "SRVName, 302806082b06010505070807a01ca01a16185f786d70702d7365727665722e7369702e6578616d706c65, ''",
            "truncated, 301b06082b06010505070805a00fa00d0c0b7369702e, ''",
    })
    void xmppAddrIsReadInEveryEncodingTheJdkGives(String form, String hex, String expected) {
        assertThat(PeerCertificates.xmppAddr(HexFormat.of().parseHex(hex)).orElse("")).isEqualTo(expected);
    }
}
