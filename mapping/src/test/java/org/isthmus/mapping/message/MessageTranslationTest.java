package org.isthmus.mapping.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        SipPagerMessage m = XmppToCpim.translate(x, addresses, 8000).map(CpimToSip::translate).orThrow();
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
        SipPagerMessage m = XmppToCpim.translate(x, addresses, 8000).map(CpimToSip::translate).orThrow();
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
        "text/html|415|not-acceptable",
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

    @Test
    void mediaTypeParsesQuotedParameters() {
        MediaType t = MediaType.parse("text/plain; charset=\"UTF-8\"; format=flowed").orThrow();
        assertThat(t.is("text", "plain")).isTrue();
        assertThat(t.parameters()).isEqualTo(Map.of("charset", "UTF-8", "format", "flowed"));
        assertThat(MediaType.parse("nonsense").isOk()).isFalse();
    }
}
