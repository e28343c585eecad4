package org.isthmus.mapping.document;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.QuietConsole;
import org.isthmus.mapping.document.imdn.ImdnParser;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PresenceDocument;

/** XML 1.0 §4.3.3 and Appendix F: a document's encoding, from its byte order mark or declaration. */
class XmlEncodingTest {

    private static final PidfParser PARSER = new PidfParser();

    private static String document(String encoding) {
        return "<?xml version='1.0' encoding='" + encoding + "'?><presence xmlns='urn:ietf:params:xml:ns:pidf'"
                + " entity='pres:j\u00fcrgen@example.com'><note>gr\u00fc\u00df dich</note></presence>";
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Each encoding, declared or marked, reads to the same document as UTF-8. */
    @ParameterizedTest
    @CsvSource({"ISO-8859-1, ", "windows-1252, ", "UTF-8, EFBBBF", "UTF-16BE, FEFF", "UTF-16LE, FFFE", "UTF-16BE, "})
    void declaredOrMarkedEncodingsRead(String encoding, String bom) {
        byte[] mark = bom == null ? new byte[0] : HexFormat.of().parseHex(bom);
        byte[] body = concat(mark, document(encoding).getBytes(Charset.forName(encoding)));
        PresenceDocument expected = PARSER.parse(document("UTF-8").getBytes(StandardCharsets.UTF_8)).orThrow();
        assertThat(PARSER.parse(body).orThrow()).isEqualTo(expected);
    }

    /** A malformed UTF-8 sequence is refused without a word on the console (the JDK parser would print it). */
    @ParameterizedTest
    @ValueSource(strings = {"C328", "EDA080", "F4908080", "C0AF", "FF"})
    void invalidUtf8IsRefusedQuietly(String hex) {
        String xml = document("UTF-8");
        int note = xml.indexOf("<note>") + "<note>".length();
        byte[] body = concat(concat(xml.substring(0, note).getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(hex)),
                xml.substring(note).getBytes(StandardCharsets.UTF_8));
        assertThat(QuietConsole.call(() -> PARSER.parse(body)).isOk()).isFalse();
        assertThat(QuietConsole.call(() -> new ImdnParser().parse(body)).isOk()).isFalse();
    }

    @Test
    void declarationThatCannotHaveWrittenTheBytesIsRefused() {
        byte[] body = document("UTF-16").getBytes(StandardCharsets.US_ASCII);
        assertThat(XmlEncoding.decode(body).isOk()).isFalse();
        assertThat(XmlEncoding.decode(document("no-such-charset").getBytes(StandardCharsets.US_ASCII)).isOk()).isFalse();
        assertThat(XmlEncoding.decode(document("1bad").getBytes(StandardCharsets.US_ASCII)).isOk()).isFalse();
    }

    @Test
    void ucs4AndEbcdicAreRefused() {
        assertThat(XmlEncoding.decode(new byte[] {0, 0, 0, 0x3C}).isOk()).isFalse();
        assertThat(XmlEncoding.decode(new byte[] {0x4C, 0x6F, (byte) 0xA7, (byte) 0x94}).isOk()).isFalse();
    }
}
