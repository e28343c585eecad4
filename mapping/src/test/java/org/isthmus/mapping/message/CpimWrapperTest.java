package org.isthmus.mapping.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.CpimEncoder;
import org.isthmus.mapping.document.cpim.CpimHeader;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** RFC 3922 §4: messages through Message/CPIM objects, both ways; RFC 3862 §5.2 inside a multipart. */
class CpimWrapperTest {

    /** Juliet's example.com is the XMPP side; Romeo's example.net is reached through gw.example.com. */
    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));

    private static Jid jid(String s) {
        return Jid.parse(s).orThrow();
    }

    private static SipUri sip(String s) {
        return SipUri.parse(s).orThrow();
    }

    private static byte[] crlf(String... lines) {
        return String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static String headerLines(CpimDocument d) {
        StringBuilder sb = new StringBuilder();
        d.headers().forEach(h -> sb.append(h).append('\n'));
        return sb.toString();
    }

    /** The message Juliet sends in RFC 3922 §4.1's examples, from her balcony resource. */
    private CpimMessage fromJuliet(List<LocalizedText> subjects, String body) {
        XmppMessage x = new XmppMessage(jid("juliet@example.com/balcony"), jid("romeo\\40example.net@gw.example.com/orchard"),
                Optional.of("m1"), MessageType.CHAT, Optional.empty(), List.of(LocalizedText.of(body)), subjects,
                Optional.of("thread-1"), Optional.empty(), Optional.empty());
        return XmppToCpim.translate(x, addresses, 8000).orThrow();
    }

    /**
     * RFC 3922 §4.1.1, §4.1.2, §4.1.6, §4.1.7: the examples of XMPP to CPIM, each a row of the header or
     * content the stanza must produce. Resources are removed; type and thread leave no trace (§4.1.4,
     * §4.1.5); the content is text/plain in UTF-8 (§4.1).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rfc3922_s4_1_1_fromAddress|From: <im:juliet@example.com>",
        "rfc3922_s4_1_2_toAddress|To: <im:romeo@example.net>",
        "rfc3922_s4_1_6_subject|Subject: Hi!",
        "rfc3922_s4_1_6_subjectLang|Subject:;lang=cz Ahoj!",
    })
    void rfc3922_s4_1_examples(String example, String header) {
        CpimDocument d = CpimWrapper.wrap(fromJuliet(
                List.of(LocalizedText.of("Hi!"), LocalizedText.in("cz", "Ahoj!")), "Wherefore art thou, Romeo?"));
        assertThat(headerLines(d)).as(example).contains(header + "\n");
        assertThat(headerLines(d)).doesNotContain("balcony", "orchard", "thread-1", "chat");
    }

    @Test
    void rfc3922_s4_1_7_messageBody() {
        CpimDocument d = CpimWrapper.wrap(fromJuliet(List.of(), "Wherefore art thou, Romeo?"));
        assertThat(d.content().contentType()).contains("text/plain; charset=utf-8");
        assertThat(new String(d.content().body(), StandardCharsets.UTF_8)).isEqualTo("Wherefore art thou, Romeo?");
        // And it is a valid object on the wire.
        assertThat(new CpimDecoder().decode(CpimEncoder.encode(d)).orThrow()).isEqualTo(d);
    }

    /** The RFC 3922 §4.2 object: Romeo to Juliet with formal names, two subjects, a Content-ID. */
    private static byte[] rfc3922_s4_2(String... extraHeaders) {
        List<String> lines = new java.util.ArrayList<>(List.of("From: Romeo Montague <im:romeo@example.net>",
                "To: Juliet Capulet <im:juliet@example.com>", "Subject: Hi!", "Subject:;lang=cz Ahoj!"));
        lines.addAll(List.of(extraHeaders));
        lines.addAll(List.of("", "Content-type: text/plain; charset=utf-8", "Content-ID: <123456789@example.net>", "",
                "Wherefore art thou?"));
        return crlf(lines.toArray(String[]::new));
    }

    /** RFC 3922 §4.2.1, §4.2.2, §4.2.5, §4.2.8, §4.2.9: the examples of CPIM to XMPP, unwrapped. */
    @Test
    void rfc3922_s4_2_examples() {
        CpimWrapper.Unwrapped u = CpimWrapper.unwrap(new CpimDecoder().decode(rfc3922_s4_2()).orThrow()).orThrow();
        // §4.2.1, §4.2.2: "im:" and the Formal-name removed.
        assertThat(u.from()).contains(new ImUri("romeo", "example.net", Optional.empty()));
        assertThat(u.to()).containsExactly(new ImUri("juliet", "example.com", Optional.empty()));
        // §4.2.5: Subject:;lang=cz becomes <subject xml:lang='cz'/>.
        assertThat(u.subjects()).containsExactly(LocalizedText.of("Hi!"), LocalizedText.in("cz", "Ahoj!"));
        // §4.2.8: the Content-ID is available as an id (the gateway uses its transaction handle instead).
        assertThat(u.contentId()).contains("123456789@example.net");
        // §4.2.9: text/plain becomes the body.
        assertThat(u.body()).isEqualTo(LocalizedText.of("Wherefore art thou?"));
    }

    /** RFC 3922 §4.2 end to end: a SIP MESSAGE with a message/cpim body becomes the stanza. */
    @Test
    void rfc3922_s4_2_throughSipMessage() {
        XmppMessage x = SipToCpim.translate(cpimMessage(rfc3922_s4_2("cc: <im:nurse@example.com>",
                        "DateTime: 2000-12-13T13:40:00-08:00", "NS: x <urn:example:x>", "x.Colour: red")), addresses, 8000)
                .then(c -> CpimToXmpp.translate(c, addresses, "id1")).orThrow();
        assertThat(x.from()).isEqualTo(jid("romeo\\40example.net@gw.example.com"));
        assertThat(x.to()).isEqualTo(jid("juliet@example.com"));
        assertThat(x.body()).contains("Wherefore art thou?");
        assertThat(x.lang()).isEmpty();
        assertThat(x.subjects()).containsExactly(LocalizedText.of("Hi!"), LocalizedText.in("cz", "Ahoj!"));
        // §4.2.3, §4.2.4, §4.2.6: cc, DateTime and extension headers are not passed on; nothing carries them.
        assertThat(x.toString()).doesNotContain("nurse", "2000-12-13", "Colour");
        assertThat(x.id()).contains("id1");
    }

    private static SipPagerMessage cpimMessage(byte[] body) {
        return new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                sip("sip:juliet@example.com"), Optional.of("call-1"), MediaType.parse("message/cpim").orThrow(), body,
                Optional.empty(), Optional.of("SIP subject"));
    }

    private Rejected refusal(byte[] cpim) {
        Mapped<CpimMessage> r = SipToCpim.translate(cpimMessage(cpim), addresses, 8000);
        assertThat(r).isInstanceOf(Mapped.Failed.class);
        return ((Mapped.Failed<CpimMessage>) r).rejected();
    }

    /** RFC 3922 §4.2.7: a Require the gateway cannot honour is an error to the sender (501, RFC 7247 §7.1). */
    @Test
    void rfc3922_s4_2_7_requireIsRefused() {
        Rejected r = refusal(rfc3922_s4_2("NS: MyFeatures <mid:MessageFeatures@id.foo.com>",
                "Require: MyFeatures.VitalMessageOption", "MyFeatures.VitalMessageOption: Confirmation-requested"));
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.FEATURE_NOT_IMPLEMENTED);
        // Requiring a core header is harmless.
        assertThat(SipToCpim.translate(cpimMessage(rfc3922_s4_2("Require: Subject")), addresses, 8000).isOk()).isTrue();
    }

    /** RFC 3922 §4.2.9: only text/plain in US-ASCII or UTF-8 maps to a body; the rest is 415. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/xml; charset=utf-8|415",
        "text/html|415",
        "text/plain; charset=iso-8859-1|415",
        "application/octet-stream|415",
    })
    void rfc3922_s4_2_9_otherContentIsRefused(String contentType, int status) {
        byte[] cpim = crlf("From: <im:romeo@example.net>", "", "Content-Type: " + contentType, "", "x");
        assertThat(refusal(cpim).sipStatus().orElseThrow().code()).isEqualTo(status);
    }

    @Test
    void rfc3922_s4_2_9_usAsciiIsTheDefaultCharset() {
        byte[] cpim = crlf("From: <im:romeo@example.net>", "", "Content-Type: text/plain", "", "caf\u00e9");
        assertThat(refusal(cpim).sipStatus().orElseThrow().code()).isEqualTo(400);
        byte[] ascii = crlf("From: <im:romeo@example.net>", "", "Content-Type: text/plain", "Content-Language: fr", "",
                "salut");
        CpimMessage c = SipToCpim.translate(cpimMessage(ascii), addresses, 8000).orThrow();
        assertThat(c.bodies()).containsExactly(LocalizedText.in("fr", "salut"));
        // No CPIM Subject: the SIP Subject stays.
        assertThat(c.subject()).contains("SIP subject");
    }

    /** RFC 3862 §9, RFC 3428 §11: a wrapper naming another sender or recipient than the MESSAGE is refused. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "From: <im:mallory@example.net>|To: <im:juliet@example.com>|From",
        "From: <sip:romeo@example.org>|To: <im:juliet@example.com>|From",
        "From: <im:romeo@example.net>|To: <im:nurse@example.com>|To",
    })
    void cpimAddressesMustMatchTheMessage(String from, String to, String which) {
        Rejected r = refusal(crlf(from, to, "", "Content-Type: text/plain", "", "x"));
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(403);
        assertThat(r.text()).contains(which);
    }

    @Test
    void cpimAddressesMayBeSipUrisAndCarryAGruu() {
        byte[] cpim = crlf("From: <sip:romeo@example.net;gr=urn:uuid:1>", "To: <sips:juliet@example.com>", "",
                "Content-Type: text/plain", "", "x");
        assertThat(SipToCpim.translate(cpimMessage(cpim), addresses, 8000).isOk()).isTrue();
        byte[] mailto = crlf("From: <mailto:romeo@example.net>", "", "Content-Type: text/plain", "", "x");
        assertThat(refusal(mailto).condition()).isEqualTo(StanzaErrorCondition.JID_MALFORMED);
    }

    @Test
    void malformedCpimBodyIsA400() {
        Rejected r = refusal(crlf("From: <im:romeo@example.net>", "Content-Type: text/plain", "", "x"));
        assertThat(r.sipStatus().orElseThrow().code()).isEqualTo(400);
        assertThat(r.text()).contains("Message/CPIM");
    }

    /** RFC 3862 §5.2: the Message/CPIM object is the first part of a multipart/signed body. */
    @Test
    void rfc3862_s5_2_example() throws IOException {
        byte[] wire;
        try (InputStream in = getClass().getResourceAsStream("/cpim/rfc3862_s5_2_example.txt")) {
            wire = in.readAllBytes();
        }
        CpimDecoder decoder = new CpimDecoder();
        MimeEntity outer = decoder.decodeMimeEntity(wire, 0, wire.length).orThrow();
        MediaType type = MediaType.parse(outer.contentType().orElseThrow()).orThrow();
        assertThat(type.is("multipart", "signed")).isTrue();
        assertThat(type.parameter("protocol")).contains("application/pkcs7-signature");
        List<MimeEntity> parts = Multipart.split(outer.body(), type.parameter("boundary").orElseThrow(), decoder).orThrow();
        assertThat(parts).hasSize(2);
        CpimDocument signed = decoder.decodeEntity(CpimEncoder.encode(parts.get(0))).orThrow();
        assertThat(signed.to().get(0).formalName()).contains("Dopey Donkey");
        assertThat(signed.subjects()).extracting(CpimHeader::text).containsExactly("the weather will be fine today",
                "beau temps prevu pour aujourd'hui");
        assertThat(new String(signed.content().body(), StandardCharsets.UTF_8))
                .isEqualTo("<body>\r\nHere is the text of my message.\r\n</body>");
        assertThat(parts.get(1).contentType()).contains("application/pkcs7-signature");
        // §6: the signed part must be passed on octet for octet; re-encoding it gives the same octets.
        assertThat(CpimEncoder.encode(signed)).isEqualTo(CpimEncoder.encode(parts.get(0)));
    }
}
