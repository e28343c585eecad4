package org.isthmus.mapping.document.cpim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.error.StanzaErrorCondition;

class CpimDecoderTest {

    private static final String MID = "mid:MessageFeatures@id.foo.com";
    private final CpimDecoder decoder = new CpimDecoder();

    static byte[] resource(String name) {
        try (InputStream in = CpimDecoderTest.class.getResourceAsStream("/cpim/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] crlf(String... lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    /** A body whose message headers are the given lines, with a small text/plain content. */
    private static byte[] withHeaders(String... headers) {
        String[] lines = Arrays.copyOf(headers, headers.length + 4);
        lines[headers.length] = "";
        lines[headers.length + 1] = "Content-Type: text/plain; charset=utf-8";
        lines[headers.length + 2] = "";
        lines[headers.length + 3] = "hi";
        return crlf(lines);
    }

    private static Rejected rejected(Mapped<?> result) {
        assertThat(result).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<?>) result).rejected();
    }

    /** RFC 3862 §5.1: the complete example, its own MIME header included. */
    @Test
    void rfc3862_s5_1_example() {
        byte[] wire = resource("rfc3862_s5_1_example.txt");
        CpimDocument d = decoder.decodeEntity(wire).orThrow();
        assertThat(d.mimeHeaders()).containsExactly(new MimeHeader("Content-type", "Message/CPIM"));
        assertThat(d.from()).contains(new CpimAddress(Optional.of("MR SANDERS"), "im:piglet@100akerwood.com"));
        assertThat(d.to()).containsExactly(new CpimAddress(Optional.of("Depressed Donkey"), "im:eeyore@100akerwood.com"));
        assertThat(d.dateTime()).contains(OffsetDateTime.parse("2000-12-13T13:40:00-08:00"));
        assertThat(d.subjects()).extracting(CpimHeader::lang, CpimHeader::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Optional.empty(), "the weather will be fine today"),
                org.assertj.core.groups.Tuple.tuple(Optional.of("fr"), "beau temps prevu pour aujourd'hui"));
        assertThat(d.required()).containsExactly(new CpimDocument.Name(MID, "VitalMessageOption"));
        assertThat(d.extensions()).extracting(CpimDocument.Extension::name).containsExactly(
                new CpimDocument.Name(MID, "VitalMessageOption"), new CpimDocument.Name(MID, "WackyMessageOption"));
        assertThat(d.extensions().get(1).header().text()).isEqualTo("Use-silly-font");
        assertThat(d.content().contentType()).contains("text/xml; charset=utf-8");
        assertThat(d.content().header("content-id")).contains("<1234567890@foo.com>");
        assertThat(new String(d.content().body(), StandardCharsets.UTF_8))
                .isEqualTo("<body>\r\nHere is the text of my message.\r\n</body>");
        // §2.2: headers are neither modified nor reordered, so writing gives back every octet.
        assertThat(CpimEncoder.encode(d)).isEqualTo(wire);
    }

    /** RFC 3862 §5.1 again, as a SIP MESSAGE carries it: the MIME header is the request's own. */
    @Test
    void rfc3862_s5_1_exampleAsASipBody() {
        byte[] wire = resource("rfc3862_s5_1_example.txt");
        byte[] body = Arrays.copyOfRange(wire, "Content-type: Message/CPIM\r\n\r\n".length(), wire.length);
        CpimDocument d = decoder.decode(body).orThrow();
        assertThat(d.mimeHeaders()).isEmpty();
        assertThat(d.headers()).hasSize(9);
        assertThat(CpimEncoder.encode(d)).isEqualTo(body);
    }

    /** Netty's habit: the example cut at every octet never throws, and only the whole of it is accepted. */
    @Test
    void rfc3862_s5_1_exampleCutAtEveryOctet() {
        byte[] wire = resource("rfc3862_s5_1_example.txt");
        int headerEnd = new String(wire, StandardCharsets.UTF_8).indexOf("\r\n\r\n<body>") + 4;
        for (int i = 0; i < wire.length; i++) {
            Mapped<CpimDocument> r = decoder.decodeEntity(Arrays.copyOf(wire, i));
            // Any cut inside the body still leaves a valid (shorter) object; any cut before it does not.
            assertThat(r.isOk()).as("cut at %d", i).isEqualTo(i >= headerEnd);
        }
    }

    /** The header examples of RFC 3862 §2.2, §3.3, §4.1–§4.5, each a row: header, then what it reads as. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "s2_2|To: Pooh Bear <im:pooh@100akerwood.com>|To|Pooh Bear|im:pooh@100akerwood.com",
        "s2_2|From: <im:piglet@100akerwood.com>|From||im:piglet@100akerwood.com",
        "s4_1|From: Winnie the Pooh <im:pooh@100akerwood.com>|From|Winnie the Pooh|im:pooh@100akerwood.com",
        "s4_1|From: <im:tigger@100akerwood.com>|From||im:tigger@100akerwood.com",
        "s4_2|To: Winnie the Pooh <im:pooh@100akerwood.com>|To|Winnie the Pooh|im:pooh@100akerwood.com",
        "s4_2|To: <im:tigger@100akerwood.com>|To||im:tigger@100akerwood.com",
        "s4_3|cc: Winnie the Pooh <im:pooh@100akerwood.com>|cc|Winnie the Pooh|im:pooh@100akerwood.com",
        "s4_3|cc: <im:tigger@100akerwood.com>|cc||im:tigger@100akerwood.com",
    })
    void rfc3862_addressHeaders(String section, String line, String name, String formalName, String uri) {
        CpimDocument d = decoder.decode(withHeaders(line)).orThrow();
        CpimAddress expected = new CpimAddress(Optional.ofNullable(formalName), uri);
        List<CpimAddress> read = switch (name) {
            case "From" -> d.from().stream().toList();
            case "To" -> d.to();
            default -> d.cc();
        };
        assertThat(read).as(section).containsExactly(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "s2_2|DateTime: 2001-02-02T10:48:54-05:00|2001-02-02T10:48:54-05:00",
        "s4_4|DateTime: 2001-02-01T12:16:49-05:00|2001-02-01T12:16:49-05:00",
        "rfc3339_s5_6_lowercase|DateTime: 2001-02-01t17:16:49z|2001-02-01T17:16:49Z",
    })
    void rfc3862_dateTime(String section, String line, String instant) {
        assertThat(decoder.decode(withHeaders(line)).orThrow().dateTime()).as(section)
                .contains(OffsetDateTime.parse(instant));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "s3_3|Subject:;lang=fr Objet de message|fr|Objet de message",
        "s4_5|Subject:;lang=en Eeyore's feeling very depressed today|en|Eeyore's feeling very depressed today",
        "s5_1|Subject: the weather will be fine today||the weather will be fine today",
        "s3_6_ext_param|Subject:;lang=de;x=\"a b\" Wetter|de|Wetter",
        "s3_6_empty|'Subject: '||''",
    })
    void rfc3862_subject(String section, String line, String lang, String text) {
        CpimHeader subject = decoder.decode(withHeaders(line)).orThrow().subjects().get(0);
        assertThat(subject.lang()).as(section).isEqualTo(Optional.ofNullable(lang));
        assertThat(subject.text()).isEqualTo(text);
    }

    /** RFC 3862 §3.4: the same extension header through a prefix, another prefix, and the default namespace. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "s3_4_acme|NS: acme <http://id.acme.widgets/wily-headers/>|acme.runner-trap: set",
        "s3_4_widget|NS: widget <http://id.acme.widgets/wily-headers/>|widget.runner-trap: set",
        "s3_4_default|NS: <http://id.acme.widgets/wily-headers/>|runner-trap: set",
    })
    void rfc3862_s3_4_namespacePrefixes(String section, String ns, String header) {
        CpimDocument d = decoder.decode(withHeaders(ns, header)).orThrow();
        assertThat(d.extensions()).as(section).hasSize(1);
        assertThat(d.extensions().get(0).name())
                .isEqualTo(new CpimDocument.Name("http://id.acme.widgets/wily-headers/", "runner-trap"));
        assertThat(d.extensions().get(0).header().text()).isEqualTo("set");
    }

    /** RFC 3862 §3.4, §4.6, §3.5 and §4.7: NS, namespaced headers and Require. */
    @Test
    void rfc3862_s4_6_and_s4_7_nsAndRequire() {
        CpimDocument d = decoder.decode(withHeaders("NS: MyAlias <mid:MessageFeatures@id.foo.com>",
                "MyAlias.MyHeader: private-extension-data", "Require: MyAlias.VitalHeader")).orThrow();
        assertThat(d.extensions()).extracting(e -> e.name().localName(), e -> e.header().text())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("MyHeader", "private-extension-data"));
        assertThat(d.required()).containsExactly(new CpimDocument.Name(MID, "VitalHeader"));
        assertThat(d.required().get(0).isCore()).isFalse();
        CpimDocument kanji = decoder.decode(withHeaders("NS: Locale <urn:example:locale>",
                "Require: Locale.MustRenderKanji,From")).orThrow();
        assertThat(kanji.required()).containsExactly(new CpimDocument.Name("urn:example:locale", "MustRenderKanji"),
                new CpimDocument.Name(CpimDocument.HEADERS_NAMESPACE, "From"));
    }

    /** RFC 3862 §2.4: the encapsulated content example. */
    @Test
    void rfc3862_s2_4_example() {
        CpimDocument d = decoder.decode(crlf("From: <im:a@example.com>", "", "Content-Type: text/plain; charset=utf-8",
                "Content-ID: <1234567890@foo.com>", "", "This is my encapsulated text message content")).orThrow();
        assertThat(d.content().headers()).containsExactly(new MimeHeader("Content-Type", "text/plain; charset=utf-8"),
                new MimeHeader("Content-ID", "<1234567890@foo.com>"));
        assertThat(new String(d.content().body(), StandardCharsets.UTF_8))
                .isEqualTo("This is my encapsulated text message content");
    }

    /** RFC 3862 §2.3: each escape sequence, as a row of raw value and decoded text. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("escapes")
    void rfc3862_s2_3_escapes(String raw, String text) {
        CpimDocument d = decoder.decode(withHeaders("Subject: " + raw)).orThrow();
        assertThat(d.subjects().get(0).text()).isEqualTo(text);
    }

    static Stream<Arguments> escapes() {
        return Stream.of(
                Arguments.of("a\\\\b", "a\\b"),
                Arguments.of("say \\\"hi\\\"", "say \"hi\""),
                Arguments.of("it\\'s", "it's"),
                Arguments.of("\\b\\t\\n\\r", "\b\t\n\r"),
                Arguments.of("\\u0041\\u00e9\\u00E9", "Aéé"),
                Arguments.of("\\ud83d\\ude00", "😀"),
                Arguments.of("\\u0000\\u007f", "\u0000\u007f"),
                // §2.3.1: an unknown escape is the character after the backslash; a final one is dropped.
                Arguments.of("\\q\\.", "q."),
                Arguments.of("\\u12g4", "u12g4"),
                Arguments.of("end\\", "end"),
                Arguments.of("déjà vu ✓", "déjà vu ✓"));
    }

    /** RFC 3862 §2.3.1: a generator escapes exactly the characters it must, and the result reads back. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "back\\slash|back\\\\slash",
        "tab\there|tab\\there",
        "quote \" and ' stay|quote \" and ' stay",
    })
    void rfc3862_s2_3_1_generatorEscapes(String text, String raw) {
        assertThat(CpimHeader.text("Subject", Optional.empty(), text).value()).isEqualTo(raw);
    }

    @Test
    void rfc3862_s2_3_1_controlCharactersRoundTrip() {
        String text = "line1\r\nline2\u0001\u001f\u007f\b\\";
        CpimHeader h = CpimHeader.text("Subject", Optional.of("en"), text);
        assertThat(h.value()).isEqualTo("line1\\r\\nline2\\u0001\\u001f\\u007f\\b\\\\");
        CpimDocument d = CpimDocument.of(List.of(h), MimeEntity.of("text/plain", new byte[0]));
        assertThat(decoder.decode(CpimEncoder.encode(d)).orThrow().subjects().get(0).text()).isEqualTo(text);
    }

    /** Header injection: CR LF in a value is escaped on the way out, so it cannot start another header. */
    @Test
    void headerInjectionIsEscapedNotWritten() {
        String evil = "hello\r\nFrom: <im:mallory@evil.example>\r\n\r\nContent-Type: text/html";
        CpimDocument d = CpimDocument.of(List.of(CpimHeader.of("From", "<im:alice@example.com>"),
                CpimHeader.text("Subject", Optional.empty(), evil)), MimeEntity.of("text/plain", "x".getBytes()));
        CpimDocument back = decoder.decode(CpimEncoder.encode(d)).orThrow();
        assertThat(back.headers()).hasSize(2);
        assertThat(back.from()).contains(CpimAddress.of("im:alice@example.com"));
        assertThat(back.subjects().get(0).text()).isEqualTo(evil);
        assertThat(back.content().contentType()).contains("text/plain");
    }

    @Test
    void formalNamesThatAreNotTokensAreQuoted() {
        CpimAddress a = new CpimAddress(Optional.of("O'Brien, \"Pat\""), "im:pat@example.com");
        CpimDocument d = CpimDocument.of(List.of(CpimHeader.of("From", a.toHeaderValue())),
                MimeEntity.of("text/plain", new byte[0]));
        assertThat(d.headers().get(0).value()).isEqualTo("\"O'Brien, \\\"Pat\\\"\" <im:pat@example.com>");
        assertThat(decoder.decode(CpimEncoder.encode(d)).orThrow().from()).contains(a);
    }

    @Test
    void mimeHeadersMayBeFolded() {
        CpimDocument d = decoder.decode(crlf("From: <im:a@example.com>", "", "Content-Type: text/plain;",
                "\tcharset=utf-8", "", "x")).orThrow();
        assertThat(d.content().contentType()).contains("text/plain;\tcharset=utf-8");
    }

    /** Malformed objects: each a row of wire text (\n standing for CRLF) and what the refusal names. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "truncated in the headers|From: <im:a@example.com>|blank line",
        "truncated after the headers|From: <im:a@example.com>\\n\\n|no encapsulated",
        "missing blank line before the content|From: <im:a@example.com>\\nContent-Type: text/plain\\n\\nhi|blank line",
        "no Content-Type in the content|From: <im:a@example.com>\\n\\nContent-ID: <x@y>\\n\\nhi|Content-Type",
        "leading white space (folding)|From: <im:a@example.com>\\n Subject: x\\n\\nContent-Type: text/plain\\n\\nhi|white space",
        "trailing white space|Subject: x \\n\\nContent-Type: text/plain\\n\\nhi|white space",
        "no space after the colon|Subject:x\\n\\nContent-Type: text/plain\\n\\nhi|no space",
        "two spaces after the colon|Subject:  x\\n\\nContent-Type: text/plain\\n\\nhi|white space",
        "no colon|Subject x\\n\\nContent-Type: text/plain\\n\\nhi|without ':'",
        "separator in a name|Sub@ject: x\\n\\nContent-Type: text/plain\\n\\nhi|header name",
        "two dots in a name|a.b.c: x\\n\\nContent-Type: text/plain\\n\\nhi|header name",
        "undeclared prefix|Foo.Bar: x\\n\\nContent-Type: text/plain\\n\\nhi|before an NS header",
        "prefix declared after use|Foo.Bar: x\\nNS: Foo <urn:x:y>\\n\\nContent-Type: text/plain\\n\\nhi|before an NS header",
        "Require of an undeclared prefix|Require: Locale.MustRenderKanji\\n\\nContent-Type: text/plain\\n\\nhi|undeclared",
        "NS URI with a fragment|NS: x <http://a.example/#f>\\n\\nContent-Type: text/plain\\n\\nhi|fragment",
        "relative NS URI|NS: x <foo>\\n\\nContent-Type: text/plain\\n\\nhi|absolute URI",
        "two senders|From: <im:a@example.com>\\nFrom: <im:b@example.com>\\n\\nContent-Type: text/plain\\n\\nhi|one sender",
        "From without angle brackets|From: im:a@example.com\\n\\nContent-Type: text/plain\\n\\nhi|'<'",
        "From with text after the URI|From: <im:a@example.com> x\\n\\nContent-Type: text/plain\\n\\nhi|'>'",
        "From with a space in the URI|From: <im:a @example.com>\\n\\nContent-Type: text/plain\\n\\nhi|URI",
        "unterminated formal name|From: \"Pooh <im:a@example.com>\\n\\nContent-Type: text/plain\\n\\nhi|unterminated",
        "DateTime not RFC 3339|DateTime: yesterday\\n\\nContent-Type: text/plain\\n\\nhi|RFC 3339",
        "malformed lang|Subject:;lang=not_a_tag x\\n\\nContent-Type: text/plain\\n\\nhi|lang",
        "parameter without a value|Subject:;lang x\\n\\nContent-Type: text/plain\\n\\nhi|'='",
        "MIME continuation first|From: <im:a@example.com>\\n\\n continued\\n\\nhi|continuation",
        "malformed MIME field|From: <im:a@example.com>\\n\\nContent Type: text/plain\\n\\nhi|MIME header",
    })
    void malformedObjectsAreRejected(String what, String wire, String reason) {
        Rejected r = rejected(decoder.decode(wire.replace("\\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
        assertThat(r.condition()).as(what).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(400);
        assertThat(r.text()).as(what).contains(reason);
    }

    /** RFC 3862 §2.2: CRLF ends every line; a bare LF or CR (a classic smuggling trick) is refused. */
    @ParameterizedTest
    @MethodSource("smuggled")
    void lineBreaksAndControlsAreRefused(String wire, String reason) {
        assertThat(rejected(decoder.decode(wire.getBytes(StandardCharsets.UTF_8))).text()).contains(reason);
    }

    static Stream<Arguments> smuggled() {
        String tail = "\r\n\r\nContent-Type: text/plain\r\n\r\nhi";
        return Stream.of(
                Arguments.of("Subject: a\nFrom: <im:mallory@evil.example>" + tail, "LF without CR"),
                Arguments.of("Subject: a\rFrom: <im:mallory@evil.example>" + tail, "CR not followed"),
                Arguments.of("Subject: a\tb" + tail, "control character 0x09"),
                Arguments.of("Subject: a\u0000b" + tail, "control character 0x00"),
                Arguments.of("Subject: a\u007fb" + tail, "control character 0x7F"));
    }

    /** RFC 3862 §3 and RFC 3629: headers are valid UTF-8; overlong, surrogate and 5-octet forms are not. */
    @ParameterizedTest
    @CsvSource({
        "C0AF",         // overlong '/'
        "E080AF",       // overlong, three octets
        "EDA080",       // an encoded surrogate
        "F88080808A",   // the 5-octet form of the old UTF-8 (§3.6's UTF8-multi)
        "80",           // a lone continuation octet
        "E282",         // truncated sequence
        "F4908080",     // above U+10FFFF
    })
    void badUtf8InAHeaderIsRefused(String hex) {
        byte[] bad = java.util.HexFormat.of().parseHex(hex);
        byte[] head = "Subject: a".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\r\n\r\nContent-Type: text/plain\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII);
        byte[] wire = new byte[head.length + bad.length + tail.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(bad, 0, wire, head.length, bad.length);
        System.arraycopy(tail, 0, wire, head.length + bad.length, tail.length);
        assertThat(rejected(decoder.decode(wire)).text()).contains("UTF-8");
    }

    @Test
    void escapedLoneSurrogateInAFormalNameIsRefused() {
        assertThat(rejected(decoder.decode(withHeaders("From: \"\\ud800\" <im:a@example.com>"))).text())
                .contains("surrogate");
    }

    @Test
    void tooManyHeadersAreRefusedAtTheLimit() {
        CpimDecoder small = new CpimDecoder(10 * 1024 * 1024, 64, 1024);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            sb.append("X-h: v\r\n");
        }
        sb.append("\r\nContent-Type: text/plain\r\n\r\nhi");
        assertThat(rejected(small.decode(sb.toString().getBytes(StandardCharsets.US_ASCII))).text())
                .contains("more than 64 message headers");
        String mime = "From: <im:a@example.com>\r\n\r\n" + "X-h: v\r\n".repeat(100) + "\r\nhi";
        assertThat(rejected(small.decode(mime.getBytes(StandardCharsets.US_ASCII))).text())
                .contains("more than 64 MIME header fields");
    }

    @Test
    void overlongLinesAreRefusedAtTheLimit() {
        CpimDecoder small = new CpimDecoder(1024 * 1024, 64, 100);
        assertThat(small.decode(withHeaders("Subject: " + "x".repeat(91))).isOk()).isTrue();
        assertThat(rejected(small.decode(withHeaders("Subject: " + "x".repeat(92)))).text()).contains("longer than 100");
        // A line that never ends is refused once it passes the limit, not read to the end.
        assertThat(rejected(small.decode(("Subject: " + "x".repeat(500_000)).getBytes(StandardCharsets.US_ASCII))).text())
                .contains("longer than 100");
        String folded = "From: <im:a@example.com>\r\n\r\nContent-Type: text/plain;\r\n" + " x=y;\r\n".repeat(30) + "\r\nhi";
        assertThat(rejected(small.decode(folded.getBytes(StandardCharsets.US_ASCII))).text()).contains("folded");
    }

    /** A 10 MB object is refused by its size before any of it is read, with 413 (RFC 3261 §21.4.11). */
    @Test
    void tenMegabyteBodyIsRefusedBySize() {
        byte[] head = withHeaders("From: <im:a@example.com>");
        byte[] huge = Arrays.copyOf(head, 10 * 1024 * 1024);
        Rejected r = rejected(decoder.decode(huge));
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.POLICY_VIOLATION);
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(413);
        assertThat(rejected(decoder.decodeEntity(huge)).sipStatus().orElseThrow().code()).isEqualTo(413);
    }

    @Test
    void entityMustBeMessageCpim() {
        assertThat(rejected(decoder.decodeEntity(crlf("Content-Type: text/plain", "", "From: <im:a@b.example>", "",
                "Content-Type: text/plain", "", "x"))).text()).contains("not message/cpim");
        assertThat(decoder.decodeEntity(crlf("Content-Type: message/cpim; x=y", "", "", "Content-Type: text/plain", "",
                "x")).isOk()).isTrue();
    }

    @Test
    void valuesRefuseWhatTheWireMayNotCarry() {
        for (Runnable r : List.<Runnable>of(
                () -> new CpimHeader("Sub ject", "", "x"),
                () -> new CpimHeader("Subject", ";lang=", "x"),
                () -> new CpimHeader("Subject", "", "a\r\nb"),
                () -> new CpimAddress(Optional.empty(), "no-scheme"),
                () -> new MimeHeader("Content-Type", "a\nb"),
                () -> CpimDocument.of(List.of(), new MimeEntity(List.of(), new byte[0])))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(r::run)
                    .isInstanceOf(org.isthmus.mapping.MappingException.class);
        }
    }
}
