package org.isthmus.mapping.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.LocalizedText;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.StanzaErrorCondition;

class MessageTranslationTest {

    /** Juliet's domain example.com is the XMPP side; Romeo's example.net is reached through gw.example.com. */
    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));

    private static SipUri sip(String s) {
        return SipUri.parse(s).orThrow();
    }

    private static Jid jid(String s) {
        return Jid.parse(s).orThrow();
    }

    private static SipPagerMessage sipMessage(String contentType, byte[] body, Optional<String> lang) {
        return new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                sip("sip:juliet@example.com"), Optional.of("9E97FB43-85F4-4A00-8751-1124FD4C7B2E"),
                MediaType.parse(contentType).orThrow(), body, lang, Optional.empty());
    }

    /** RFC 7572 §5, Examples 4 and 5: a MESSAGE becomes a normal message with the body intact. */
    @Test
    void rfc7572_s5_examples4and5() {
        SipPagerMessage m = sipMessage("text/plain",
                "Neither, fair saint, if either thee dislike.".getBytes(StandardCharsets.UTF_8), Optional.empty());
        XmppMessage x = SipToCpim.translate(m, addresses, 8000)
                .then(c -> CpimToXmpp.translate(c, addresses, "id1")).orThrow();
        assertThat(x.from()).isEqualTo(jid("romeo\\40example.net@gw.example.com"));
        assertThat(x.to()).isEqualTo(jid("juliet@example.com"));
        assertThat(x.type()).isEqualTo(MessageType.NORMAL);
        assertThat(x.body()).contains("Neither, fair saint, if either thee dislike.");
        assertThat(x.id()).contains("id1");
        // RFC 7572 Table 2: Call-ID -> <thread/>.
        assertThat(x.thread()).contains("9E97FB43-85F4-4A00-8751-1124FD4C7B2E");
    }

    /** RFC 7572 §8, Examples 6 and 7: Content-Language becomes xml:lang; UTF-8 text is kept. */
    @Test
    void rfc7572_s8_examples6and7() {
        String czech = "Nic z obého, má děvo spanilá,\nnenavidíš-li jedno nebo druhé.";
        SipPagerMessage m = sipMessage("text/plain", czech.getBytes(StandardCharsets.UTF_8), Optional.of("cs"));
        XmppMessage x = SipToCpim.translate(m, addresses, 8000)
                .then(c -> CpimToXmpp.translate(c, addresses, "id2")).orThrow();
        assertThat(x.lang()).contains("cs");
        assertThat(x.body()).contains(czech);
    }

    /** RFC 7572 §4, Examples 1 and 2: the full JID's resource becomes the From URI's gr parameter. */
    @Test
    void rfc7572_s4_examples1and2() {
        XmppMessage x = new XmppMessage(jid("juliet@example.com/yn0cl4bnw0yr3vym"),
                jid("romeo\\40example.net@gw.example.com"), Optional.of("m1"), MessageType.NORMAL, Optional.empty(),
                Optional.of("Art thou not Romeo, and a Montague?"), Optional.empty(), Optional.empty(), Optional.empty());
        SipPagerMessage m = XmppToCpim.translate(x, addresses, 8000).map(c -> CpimToSip.translate(c, addresses)).orThrow();
        assertThat(m.requestUri()).hasToString("sip:romeo@example.net");
        assertThat(m.to()).hasToString("sip:romeo@example.net");
        assertThat(m.from()).hasToString("sip:juliet@example.com;gr=yn0cl4bnw0yr3vym");
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("Art thou not Romeo, and a Montague?");
        assertThat(m.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
    }

    /** RFC 7572 Table 1: thread -> Call-ID, xml:lang -> Content-Language, subject -> Subject. */
    @Test
    void rfc7572_s4_table1_optionalParts() {
        XmppMessage x = new XmppMessage(jid("juliet@example.com"), jid("romeo\\40example.net@gw.example.com"),
                Optional.empty(), MessageType.CHAT, Optional.of("en"), Optional.of("hi"), Optional.of("a\nsubject"),
                Optional.of("e0ffe42b28561960c6b12b944a092794b9683a38"), Optional.empty());
        SipPagerMessage m = XmppToCpim.translate(x, addresses, 8000).map(c -> CpimToSip.translate(c, addresses)).orThrow();
        assertThat(m.callId()).contains("e0ffe42b28561960c6b12b944a092794b9683a38");
        assertThat(m.language()).contains("en");
        assertThat(m.subject()).contains("a subject");
    }

    /** RFC 2046 §4.1.1 CRLF line breaks become XML's LF (XML 1.0 §2.11), lone CRs too. */
    @Test
    void lineBreaksBecomeXmlLineBreaks() {
        SipPagerMessage m = sipMessage("text/plain", "one\r\ntwo\rthree\n".getBytes(StandardCharsets.UTF_8),
                Optional.empty());
        assertThat(SipToCpim.translate(m, addresses, 8000).orThrow().body()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void threadThatIsNotACallIdIsNotUsedAsOne() {
        assertThat(CpimToSip.isCallId("thread with spaces")).isFalse();
        assertThat(CpimToSip.isCallId("a@b@c")).isFalse();
        assertThat(CpimToSip.isCallId("f81d4fae-7dec@foo.bar.com")).isTrue();
    }

    /** The charset parameter is honoured; RFC 3261 §7.4.1 makes UTF-8 the default. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/plain;charset=ISO-8859-1|ISO-8859-1",
        "text/plain; charset=\"windows-1252\"|windows-1252",
        "text/plain|UTF-8",
        "TEXT/PLAIN;CHARSET=utf-8|UTF-8",
    })
    void bodyIsDecodedFromItsCharset(String contentType, String charset) {
        String text = "Grüße aus Köln";
        SipPagerMessage m = sipMessage(contentType, text.getBytes(java.nio.charset.Charset.forName(charset)), Optional.empty());
        assertThat(SipToCpim.translate(m, addresses, 8000).orThrow().body()).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "image/png|415|not-acceptable",
        "application/octet-stream|415|not-acceptable",
        "text/plain;charset=x-no-such|415|not-acceptable",
    })
    void unsupportedBodiesAreRefusedWithTheSipStatus(String contentType, int status, String condition) {
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage(contentType, new byte[] {'x'}, Optional.empty()), addresses, 8000);
        Mapped.Failed<CpimMessage> f = (Mapped.Failed<CpimMessage>) r;
        assertThat(f.rejected().sipStatus().orElseThrow().code()).isEqualTo(status);
        assertThat(f.rejected().condition().elementName()).isEqualTo(condition);
    }

    @Test
    void malformedUtf8IsRefusedNotReplaced() {
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage("text/plain;charset=UTF-8", new byte[] {(byte) 0xC3, 'x'},
                Optional.empty()), addresses, 8000);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().sipStatus().orElseThrow().code()).isEqualTo(400);
    }

    @Test
    void controlCharacterXmlCannotCarryIsRefused() {
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage("text/plain", "a\u0001b".getBytes(StandardCharsets.UTF_8),
                Optional.empty()), addresses, 8000);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().text()).contains("U+0001");
    }

    @Test
    void oversizeBodyIsRefusedBothWays() {
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage("text/plain", new byte[9], Optional.empty()), addresses, 8);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().sipStatus().orElseThrow().code()).isEqualTo(413);
        XmppMessage x = new XmppMessage(jid("juliet@example.com"), jid("romeo\\40example.net@gw.example.com"),
                Optional.empty(), MessageType.CHAT, Optional.empty(), Optional.of("ü".repeat(5)), Optional.empty(),
                Optional.empty(), Optional.empty());
        Mapped<CpimMessage> x2 = XmppToCpim.translate(x, addresses, 9);
        assertThat(((Mapped.Failed<CpimMessage>) x2).rejected().condition()).isEqualTo(StanzaErrorCondition.POLICY_VIOLATION);
    }

    /** A SIP sender may not claim to be a user of the XMPP domain the gateway serves. */
    @Test
    void sipSenderClaimingAnXmppAddressIsForbidden() {
        SipPagerMessage m = new SipPagerMessage(sip("sip:juliet@example.com"), sip("sip:juliet@example.com"),
                sip("sip:juliet@example.com"), Optional.empty(), MediaType.TEXT_PLAIN_UTF8, new byte[] {'x'},
                Optional.empty(), Optional.empty());
        Mapped<CpimMessage> r = SipToCpim.translate(m, addresses, 8000);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().sipStatus().orElseThrow().code()).isEqualTo(403);
    }

    /**
     * A caller known by a global number (RFC 3261 §19.1.6 user=phone) has one identity on XMPP however
     * the SIP side writes it, and replies go back as that number at the telephone domain.
     */
    @Test
    void telephoneNumberSenderMapsToTheNumberJidAndBack() {
        AddressMapper numbers = new AddressMapper(org.isthmus.mapping.address.AddressRules
                .component("gw.example.com", Set.of("example.com")).withTelephoneDomain("pstn.example.net"));
        SipPagerMessage m = new SipPagerMessage(sip("sip:+1-212-555-0100@carrier.example;user=phone"),
                sip("sip:juliet@example.com"), sip("sip:juliet@example.com"), Optional.empty(),
                MediaType.TEXT_PLAIN_UTF8, "call me".getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty());
        XmppMessage x = SipToCpim.translate(m, numbers, 8000).then(c -> CpimToXmpp.translate(c, numbers, "n1")).orThrow();
        assertThat(x.from()).hasToString("+12125550100@gw.example.com");

        XmppMessage reply = new XmppMessage(jid("juliet@example.com/balcony"), x.from(), Optional.of("r1"),
                MessageType.CHAT, Optional.empty(), Optional.of("ok"), Optional.empty(), Optional.empty(), Optional.empty());
        SipPagerMessage back = XmppToCpim.translate(reply, numbers, 8000).map(c -> CpimToSip.translate(c, numbers)).orThrow();
        assertThat(back.to()).hasToString("sip:+12125550100@pstn.example.net;user=phone");
    }

    /** RFC 7572 Table 2, "Request-URI or To": a proxy may have rewritten the Request-URI to the gateway's address. */
    @Test
    void recipientFromToWhenRequestUriIsTheGateway() {
        SipPagerMessage m = new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                sip("sip:127.0.0.1:5060"), Optional.empty(), MediaType.TEXT_PLAIN_UTF8, new byte[] {'x'},
                Optional.empty(), Optional.empty());
        assertThat(SipToCpim.translate(m, addresses, 8000).orThrow().to()).hasToString("im:juliet@example.com");
        SipPagerMessage nowhere = new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:x@elsewhere.test"),
                sip("sip:x@elsewhere.test"), Optional.empty(), MediaType.TEXT_PLAIN_UTF8, new byte[] {'x'},
                Optional.empty(), Optional.empty());
        assertThat(((Mapped.Failed<CpimMessage>) SipToCpim.translate(nowhere, addresses, 8000)).rejected()
                .sipStatus().orElseThrow().code()).isEqualTo(404);
    }

    /**
     * Two component domains, gw.example.com for example.com and gw.example.org for example.org: Romeo's
     * message to the nurse comes from the component of her domain (XEP-0114 §3), and her reply to that
     * JID goes back to Romeo.
     */
    @Test
    void senderAppearsUnderTheComponentThatServesTheRecipientsDomain() {
        AddressMapper two = new AddressMapper(org.isthmus.mapping.address.AddressRules
                .component("gw.example.com", Set.of("example.com")).withComponent("gw.example.org", Set.of("example.org")));
        SipPagerMessage m = new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:nurse@example.org"),
                sip("sip:nurse@example.org"), Optional.empty(), MediaType.TEXT_PLAIN_UTF8,
                "Is she at home?".getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty());
        XmppMessage x = SipToCpim.translate(m, two, 8000).then(c -> CpimToXmpp.translate(c, two, "o1")).orThrow();
        assertThat(x.from()).isEqualTo(jid("romeo\\40example.net@gw.example.org"));
        assertThat(x.to()).isEqualTo(jid("nurse@example.org"));
        XmppMessage toJuliet = SipToCpim.translate(sipMessage("text/plain", new byte[] {'x'}, Optional.empty()), two, 8000)
                .then(c -> CpimToXmpp.translate(c, two, "o2")).orThrow();
        assertThat(toJuliet.from()).isEqualTo(jid("romeo\\40example.net@gw.example.com"));

        XmppMessage reply = new XmppMessage(jid("nurse@example.org/desk"), x.from(), Optional.of("r1"), MessageType.CHAT,
                Optional.empty(), Optional.of("Anon!"), Optional.empty(), Optional.empty(), Optional.empty());
        SipPagerMessage back = XmppToCpim.translate(reply, two, 8000).map(c -> CpimToSip.translate(c, two)).orThrow();
        assertThat(back.from()).hasToString("sip:nurse@example.org;gr=desk");
        assertThat(back.to()).hasToString("sip:romeo@example.net");
    }

    @Test
    void mediaTypeParsesQuotedParameters() {
        MediaType t = MediaType.parse("text/plain; charset=\"UTF-8\"; format=flowed").orThrow();
        assertThat(t.is("text", "plain")).isTrue();
        assertThat(t.parameters()).isEqualTo(Map.of("charset", "UTF-8", "format", "flowed"));
        assertThat(MediaType.parse("nonsense").isOk()).isFalse();
    }

    // ---- RFC 7572 §4 and §5 as tables ----------------------------------------------------------------

    /**
     * RFC 7572 §4 Table 1: each row an XMPP message and the SIP header or body it must give. The type
     * has no mapping (note 2), so every type gives the same MESSAGE.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rfc7572_s4_table1_body|normal|Art thou not Romeo?|body|Art thou not Romeo?",
        "rfc7572_s4_table1_from|chat|x|from|sip:juliet@example.com;gr=balcony",
        "rfc7572_s4_table1_to|headline|x|to|sip:romeo@example.net",
        "rfc7572_s4_table1_requestUri|groupchat|x|requestUri|sip:romeo@example.net",
        "rfc7572_s4_table1_subject|normal|x|subject|Balcony",
        "rfc7572_s4_table1_thread|chat|x|callId|e0ffe42b28561960c6b12b944a092794b9683a38",
        "rfc7572_s4_table1_xmlLang|chat|x|language|en",
        "rfc7572_s4_table1_type|headline|x|contentType|text/plain;charset=UTF-8",
    })
    void rfc7572_s4_table1(String row, String type, String body, String sipPart, String expected) {
        XmppMessage x = new XmppMessage(jid("juliet@example.com/balcony"), jid("romeo\\40example.net@gw.example.com"),
                Optional.of("m1"), MessageType.fromWire(type).orElseThrow(), Optional.of("en"), Optional.of(body),
                Optional.of("Balcony"), Optional.of("e0ffe42b28561960c6b12b944a092794b9683a38"), Optional.empty());
        SipPagerMessage m = XmppToCpim.translate(x, addresses, 8000).map(c -> CpimToSip.translate(c, addresses)).orThrow();
        String actual = switch (sipPart) {
            case "body" -> new String(m.body(), StandardCharsets.UTF_8);
            case "from" -> m.from().toString();
            case "to" -> m.to().toString();
            case "requestUri" -> m.requestUri().toString();
            case "subject" -> m.subject().orElseThrow();
            case "callId" -> m.callId().orElseThrow();
            case "language" -> m.language().orElseThrow();
            default -> m.contentType().toString();
        };
        assertThat(actual).as(row).isEqualTo(expected);
    }

    /** RFC 7572 §5 Table 2: each row a part of a MESSAGE and the stanza part it must give. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rfc7572_s5_table2_callId|thread|5A37A65D-304B-470A-B718-3F3E6770ACAF",
        "rfc7572_s5_table2_contentLanguage|lang|cs",
        "rfc7572_s5_table2_from|from|romeo\\40example.net@gw.example.com/dr4hcr0st3lup4c",
        "rfc7572_s5_table2_subject|subject|Re: balcony",
        "rfc7572_s5_table2_requestUri|to|juliet@example.com",
        "rfc7572_s5_table2_body|body|Neither, fair saint, if either thee dislike.",
        "rfc7572_s5_table2_transaction|id|txn-1",
        "rfc7572_s5_pagerModeIsNormal|type|NORMAL",
    })
    void rfc7572_s5_table2(String row, String xmppPart, String expected) {
        SipPagerMessage m = new SipPagerMessage(sip("sip:romeo@example.net;gr=dr4hcr0st3lup4c"),
                sip("sip:juliet@example.com"), sip("sip:juliet@example.com"),
                Optional.of("5A37A65D-304B-470A-B718-3F3E6770ACAF"), MediaType.TEXT_PLAIN_UTF8,
                "Neither, fair saint, if either thee dislike.".getBytes(StandardCharsets.UTF_8), Optional.of("cs"),
                Optional.of("Re: balcony"));
        XmppMessage x = SipToCpim.translate(m, addresses, 8000).then(c -> CpimToXmpp.translate(c, addresses, "txn-1"))
                .orThrow();
        String actual = switch (xmppPart) {
            case "thread" -> x.thread().orElseThrow();
            case "lang" -> x.lang().orElseThrow();
            case "from" -> x.from().toString();
            case "subject" -> x.subject().orElseThrow();
            case "to" -> x.to().toString();
            case "body" -> x.body().orElseThrow();
            case "id" -> x.id().orElseThrow();
            default -> x.type().name();
        };
        assertThat(actual).as(row).isEqualTo(expected);
    }

    /** RFC 7572 §6: the size limit holds for the body that is sent, in UTF-8 octets, with policy-violation. */
    @ParameterizedTest
    @CsvSource({"1300,1300,true", "1301,1300,false", "650,1300,true", "651,1300,false"})
    void rfc7572_s6_messageSize(int chars, int limit, boolean accepted) {
        String body = chars <= 1301 && chars > 651 ? "x".repeat(chars) : "\u00fc".repeat(chars);
        XmppMessage x = new XmppMessage(jid("juliet@example.com"), jid("romeo\\40example.net@gw.example.com"),
                Optional.empty(), MessageType.CHAT, Optional.empty(), Optional.of(body), Optional.empty(),
                Optional.empty(), Optional.empty());
        Mapped<CpimMessage> r = XmppToCpim.translate(x, addresses, limit);
        assertThat(r.isOk()).isEqualTo(accepted);
        if (!accepted) {
            assertThat(((Mapped.Failed<CpimMessage>) r).rejected().condition())
                    .isEqualTo(StanzaErrorCondition.POLICY_VIOLATION);
        }
    }

    // ---- RFC 7572 §8: several languages -----------------------------------------------------------

    private XmppMessage multilingual() {
        return new XmppMessage(jid("juliet@example.com/balcony"), jid("romeo\\40example.net@gw.example.com"),
                Optional.of("m1"), MessageType.CHAT, Optional.of("en"),
                List.of(LocalizedText.in("cs", "Nic z obého"), LocalizedText.of("Neither"),
                        LocalizedText.in("de", "Keines")),
                List.of(LocalizedText.in("cs", "Balkón"), LocalizedText.of("Balcony")), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** RFC 7572 §8 with RFC 6121 §5.2.3: by default only the body in the stanza's language goes, tagged. */
    @Test
    void rfc7572_s8_severalBodiesPrimaryOnly() {
        SipPagerMessage m = XmppToCpim.translate(multilingual(), addresses, 8000).map(c -> CpimToSip.translate(c, addresses)).orThrow();
        assertThat(m.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo("Neither");
        assertThat(m.language()).contains("en");
        assertThat(m.subject()).contains("Balcony");
    }

    /** RFC 7572 §8, RFC 2046 §5.1.4: all bodies as multipart/alternative, primary last; and back again. */
    @Test
    void rfc7572_s8_severalBodiesAsMultipartAlternative() {
        CpimMessage c = XmppToCpim.translate(multilingual(), addresses, 8000).orThrow();
        assertThat(c.bodies()).containsExactly(LocalizedText.in("en", "Neither"), LocalizedText.in("cs", "Nic z obého"),
                LocalizedText.in("de", "Keines"));
        SipPagerMessage m = CpimToSip.translate(c, addresses, MultilingualBodies.MULTIPART_ALTERNATIVE, 8000);
        assertThat(m.contentType().is("multipart", "alternative")).isTrue();
        assertThat(m.language()).contains("en, cs, de");
        String boundary = m.contentType().parameter("boundary").orElseThrow();
        assertThat(new String(m.body(), StandardCharsets.UTF_8)).isEqualTo(
                "--" + boundary + "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Language: cs\r\n\r\n"
                + "Nic z obého\r\n--" + boundary + "\r\nContent-Type: text/plain;charset=UTF-8\r\n"
                + "Content-Language: de\r\n\r\nKeines\r\n--" + boundary + "\r\nContent-Type: text/plain;charset=UTF-8"
                + "\r\nContent-Language: en\r\n\r\nNeither\r\n--" + boundary + "--\r\n");

        // The way back: SIP to XMPP gives one body per language, the MESSAGE's first language the stanza's.
        SipPagerMessage received = new SipPagerMessage(sip("sip:romeo@example.net"), sip("sip:juliet@example.com"),
                sip("sip:juliet@example.com"), Optional.empty(), m.contentType(), m.body(), m.language(), Optional.empty());
        XmppMessage x = SipToCpim.translate(received, addresses, 8000)
                .then(cm -> CpimToXmpp.translate(cm, addresses, "id")).orThrow();
        assertThat(x.lang()).contains("en");
        assertThat(x.bodies()).containsExactly(LocalizedText.of("Neither"), LocalizedText.in("cs", "Nic z obého"),
                LocalizedText.in("de", "Keines"));
        assertThat(x.body()).contains("Neither");
    }

    @Test
    void rfc7572_s6_multipartAboveTheLimitFallsBackToThePrimaryBody() {
        CpimMessage c = XmppToCpim.translate(multilingual(), addresses, 8000).orThrow();
        SipPagerMessage m = CpimToSip.translate(c, addresses, MultilingualBodies.MULTIPART_ALTERNATIVE, 100);
        assertThat(m.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
        assertThat(m.language()).contains("en");
    }

    /** RFC 2046 §5.1.4: without a Content-Language on the MESSAGE, the last alternative is the primary. */
    @Test
    void multipartAlternativeFromASipAgent() {
        String body = "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: fr\r\n\r\n"
                + "Bonjour\r\n--b1\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n--b1\r\nContent-Type: text/html\r\n"
                + "Content-Language: en\r\n\r\n<p>Hello <b>there</b></p>\r\n--b1--\r\nepilogue";
        XmppMessage x = SipToCpim.translate(sipMessage("multipart/alternative; boundary=b1",
                        body.getBytes(StandardCharsets.UTF_8), Optional.empty()), addresses, 8000)
                .then(c -> CpimToXmpp.translate(c, addresses, "id")).orThrow();
        assertThat(x.lang()).contains("en");
        assertThat(x.bodies()).containsExactly(LocalizedText.of("Hello there"), LocalizedText.in("fr", "Bonjour"));
        assertThat(x.xhtml()).isPresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "multipart/alternative|--b1~~x~--b1--|boundary parameter",
        "multipart/alternative; boundary=b1|--b1~Content-Type: text/plain~~x|closing boundary",
        "multipart/alternative; boundary=b1|no boundary at all|first boundary",
        "multipart/alternative; boundary=b1|--b1~Content-Type: image/png~~x~--b1--|not translated",
    })
    void malformedMultipartIsRefused(String type, String body, String reason) {
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage(type,
                body.replace("~", "\r\n").getBytes(StandardCharsets.UTF_8), Optional.empty()), addresses, 8000);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().text()).contains(reason);
    }

    @Test
    void tooManyPartsAreRefused() {
        String body = "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n".repeat(17) + "--b--";
        Mapped<CpimMessage> r = SipToCpim.translate(sipMessage("multipart/alternative; boundary=b",
                body.getBytes(StandardCharsets.UTF_8), Optional.empty()), addresses, 8000);
        assertThat(((Mapped.Failed<CpimMessage>) r).rejected().sipStatus().orElseThrow().code()).isEqualTo(413);
    }

    // ---- RFC 7572 §7: text/html ------------------------------------------------------------------

    /** RFC 7572 §7: text/html gives a plain body and its XHTML-IM form (XEP-0071). */
    @Test
    void rfc7572_s7_textHtml() {
        String html = "<html><head><title>t</title><script>alert(1)</script></head><body>"
                + "<p>Hello <b>Juliet</b> &amp; <i>nurse</i>!</p><p onclick='x()' style='color:red'>See "
                + "<a href='https://example.org/balcony'>the balcony</a> or <a href='javascript:alert(1)'>this</a>"
                + "</p><ul><li>one</li><li>two</li></ul><!-- secret --></body></html>";
        CpimMessage c = SipToCpim.translate(sipMessage("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8),
                Optional.of("en")), addresses, 8000).orThrow();
        assertThat(c.body()).isEqualTo("Hello Juliet & nurse!\nSee the balcony <https://example.org/balcony> or this\none\ntwo");
        XhtmlIm x = c.xhtml().orElseThrow();
        assertThat(x.toString()).doesNotContain("alert", "onclick", "style", "javascript", "secret", "title");
        XhtmlIm.Element p = (XhtmlIm.Element) x.content().get(0);
        assertThat(p.name()).isEqualTo("p");
        assertThat(p.children()).containsExactly(new XhtmlIm.Text("Hello "),
                new XhtmlIm.Element("strong", Map.of(), List.of(new XhtmlIm.Text("Juliet"))), new XhtmlIm.Text(" & "),
                new XhtmlIm.Element("em", Map.of(), List.of(new XhtmlIm.Text("nurse"))), new XhtmlIm.Text("!"));
        XhtmlIm.Element second = (XhtmlIm.Element) x.content().get(1);
        assertThat(second.attributes()).isEmpty();
        assertThat(second.children().get(1)).isEqualTo(new XhtmlIm.Element("a",
                Map.of("href", "https://example.org/balcony"), List.of(new XhtmlIm.Text("the balcony"))));
        assertThat(second.children().get(3)).isEqualTo(new XhtmlIm.Element("a", Map.of(), List.of(new XhtmlIm.Text("this"))));
    }

    @Test
    void rfc7572_s7_hostileHtmlStaysBounded() {
        String deep = "<span>".repeat(10_000) + "x" + "</span>".repeat(10_000) + "<b" + " a=1".repeat(1000) + ">&#0;&#xD800;&bogus;<";
        CpimMessage c = SipToCpim.translate(sipMessage("text/html", deep.getBytes(StandardCharsets.UTF_8), Optional.empty()),
                addresses, 1_000_000).orThrow();
        assertThat(c.body()).isEqualTo("x\ufffd\ufffd&bogus;<");
        int depth = 0;
        List<XhtmlIm.Node> level = c.xhtml().orElseThrow().content();
        while (!level.isEmpty() && level.get(0) instanceof XhtmlIm.Element e) {
            depth++;
            level = e.children();
        }
        assertThat(depth).isLessThanOrEqualTo(HtmlText.MAX_DEPTH);
    }

    /** Inputs that would make a naive tokenizer quadratic finish in linear time. */
    @ParameterizedTest
    @CsvSource({"&,200000", "<script>,100000", "&amp;,200000", "<b>x,50000", "<!--,100000"})
    void rfc7572_s7_htmlTokenizerIsLinear(String unit, int count) {
        String html = unit.repeat(count);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> HtmlText.convert(html));
    }
}
