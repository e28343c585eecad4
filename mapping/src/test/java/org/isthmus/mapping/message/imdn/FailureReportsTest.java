package org.isthmus.mapping.message.imdn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.CpimHeader;
import org.isthmus.mapping.document.imdn.Disposition;
import org.isthmus.mapping.document.imdn.ImdnDocument;
import org.isthmus.mapping.document.imdn.ImdnParser;
import org.isthmus.mapping.document.imdn.ImdnWriter;
import org.isthmus.mapping.document.imdn.Rfc5438Examples;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/** Late delivery failures reported to the SIP sender: RFC 5438 negative-delivery IMDNs and plain notices. */
class FailureReportsTest {

    private static final SipUri ALICE = ImdnRequestTest.ALICE;
    private static final SipUri BOB = ImdnRequestTest.BOB;
    private static final Instant NOW = Instant.parse("2026-07-01T10:00:05.123456Z");
    private static final StanzaError UNAVAILABLE = StanzaError.of(StanzaErrorCondition.RECIPIENT_UNAVAILABLE, null);

    private static SipPagerMessage rfcExample() {
        return ImdnRequestTest.message(ImdnRequestTest.CPIM, Rfc5438Examples.repaired(Rfc5438Examples.IM_REQUEST));
    }

    private static String text(SipPagerMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    /**
     * The report for the IM of RFC 5438 §7.1.1.3 (Alice to Bob), built as §7.2.1.1 builds the delivery
     * notification of its example, with {@code <failed/>} and the DateTime and Content-Length the
     * example leaves out; its body byte for byte.
     */
    @Test
    void failureReportForTheRfcExample() {
        ImdnRequest request = ImdnRequest.of(rfcExample()).orElseThrow();
        SipPagerMessage report = FailureReports.failureReport(request, BOB, ALICE, NOW, "d834jied93rf");
        assertThat(report.from()).isEqualTo(BOB);
        assertThat(report.to()).isEqualTo(ALICE);
        assertThat(report.requestUri()).isEqualTo(ALICE);
        assertThat(report.callId()).isEmpty();
        assertThat(report.contentType()).isEqualTo(ImdnRequestTest.CPIM);
        assertThat(report.language()).isEmpty();
        // The payload as the writer lays it out (ImdnParserTest has its bytes).
        String xml = ImdnWriter.toXml(new ImdnDocument("34jk324j", "2006-04-04T12:16:49-05:00",
                Optional.of("im:bob@example.com"), Optional.of("im:bob@example.com"), Optional.empty(),
                Optional.of(Disposition.deliveryFailed())));
        String wire = String.join("\r\n",
                "From: <sip:bob@example.com>",
                "To: Alice <im:alice@example.com>",
                "NS: imdn <urn:ietf:params:imdn>",
                "imdn.Message-ID: d834jied93rf",
                "DateTime: 2026-07-01T10:00:05Z",
                "",
                "Content-Type: message/imdn+xml",
                "Content-Disposition: notification",
                "Content-Length: " + xml.getBytes(StandardCharsets.UTF_8).length,
                "",
                xml);
        assertThat(text(report)).isEqualTo(wire);
    }

    /** The report reads back through the strict CPIM decoder and the hardened IMDN parser. */
    @Test
    void failureReportReadsBack() {
        ImdnRequest request = ImdnRequest.of(rfcExample()).orElseThrow();
        SipPagerMessage report = FailureReports.failureReport(request, BOB, ALICE, NOW, "n1");
        CpimDocument cpim = new CpimDecoder().decode(report.body()).orThrow();
        assertThat(cpim.extensions()).extracting(e -> e.name().namespace() + " " + e.name().localName())
                .containsExactly(ImdnRequest.HEADERS_NAMESPACE + " Message-ID");
        assertThat(cpim.dateTime()).hasValueSatisfying(
                t -> assertThat(t.toInstant()).isEqualTo(Instant.parse("2026-07-01T10:00:05Z")));
        assertThat(cpim.content().contentType()).contains(ImdnDocument.MEDIA_TYPE);
        byte[] payload = cpim.content().body();
        assertThat(cpim.content().header("Content-Length")).contains(Integer.toString(payload.length));
        ImdnDocument d = new ImdnParser().parse(payload).orThrow();
        assertThat(d).isEqualTo(new ImdnDocument("34jk324j", "2006-04-04T12:16:49-05:00",
                Optional.of("im:bob@example.com"), Optional.of("im:bob@example.com"), Optional.empty(),
                Optional.of(Disposition.deliveryFailed())));
        // §7.2.1: an IMDN asks for nothing, so a report can never start a loop of reports.
        assertThat(ImdnRequest.of(report)).isEmpty();
    }

    /** §6.4, §7.2.1, §11.1.4: Original-To and the record routes, which also choose the Request-URI. */
    @Test
    void failureReportWithOriginalToAndRoutes() {
        SipPagerMessage im = ImdnRequestTest.im("From: <sip:alice@example.com>", "NS: imdn <urn:ietf:params:imdn>",
                "imdn.Message-ID: m1", "DateTime: 2006-04-04T12:16:49Z",
                "imdn.Disposition-Notification: negative-delivery",
                "imdn.Original-To: <sip:list@lists.example.com>",
                "imdn.IMDN-Record-Route: <im:relay1@relays.example.com>",
                "imdn.IMDN-Record-Route: Relay <sip:relay2.example.com>");
        SipPagerMessage report = FailureReports.failureReport(ImdnRequest.of(im).orElseThrow(), BOB, ALICE, NOW, "n2");
        assertThat(report.requestUri()).isEqualTo(SipUri.of("relay1", "relays.example.com"));
        assertThat(report.to()).isEqualTo(ALICE);
        CpimDocument cpim = new CpimDecoder().decode(report.body()).orThrow();
        assertThat(cpim.headers()).extracting(CpimHeader::toString).containsExactly(
                "From: <sip:bob@example.com>",
                "To: <sip:alice@example.com>",
                "NS: imdn <urn:ietf:params:imdn>",
                "imdn.Message-ID: n2",
                "DateTime: 2026-07-01T10:00:05Z",
                "imdn.IMDN-Route: <im:relay1@relays.example.com>",
                "imdn.IMDN-Route: Relay <sip:relay2.example.com>");
        ImdnDocument d = new ImdnParser().parse(cpim.content().body()).orThrow();
        // No CPIM To in the IM: the reporter is the recipient.
        assertThat(d.recipientUri()).contains("sip:bob@example.com");
        assertThat(d.originalRecipientUri()).contains("sip:list@lists.example.com");
    }

    /**
     * A formal name can carry CR LF through RFC 3862 §2.3 escapes; written back it is escaped again,
     * so it cannot add a header line to the report.
     */
    @Test
    void escapedLineBreaksInNamesStayEscaped() {
        SipPagerMessage im = ImdnRequestTest.im(
                "From: \"Mallory\\r\\nimdn.Disposition-Notification: display\" <sip:alice@example.com>",
                "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m1", "DateTime: 2006-04-04T12:16:49Z",
                "imdn.Disposition-Notification: negative-delivery",
                "imdn.IMDN-Record-Route: \"R\\r\\nX: y\" <sip:relay.example.com>");
        ImdnRequest request = ImdnRequest.of(im).orElseThrow();
        assertThat(request.sender().orElseThrow().formalName())
                .contains("Mallory\r\nimdn.Disposition-Notification: display");
        CpimDocument cpim = new CpimDecoder().decode(
                FailureReports.failureReport(request, BOB, ALICE, NOW, "n3").body()).orThrow();
        assertThat(cpim.headers()).hasSize(6);
        assertThat(cpim.to().get(0).formalName()).isEqualTo(request.sender().get().formalName());
        assertThat(cpim.extensions()).extracting(e -> e.name().localName()).containsExactly("Message-ID", "IMDN-Route");
    }

    @Test
    void reportIdsMustBeTokens() {
        ImdnRequest request = ImdnRequest.of(rfcExample()).orElseThrow();
        for (String bad : List.of("", "a b", "a\r\nX: y", "x".repeat(ImdnRequest.MAX_MESSAGE_ID_LENGTH + 1))) {
            assertThatThrownBy(() -> FailureReports.failureReport(request, BOB, ALICE, NOW, bad))
                    .isInstanceOf(MappingException.class);
        }
    }

    /** The notice for a sender that did not ask, in the words of issue 6. */
    @Test
    void failureNotice() {
        SipPagerMessage original = ImdnRequestTest.message(MediaType.TEXT_PLAIN_UTF8,
                "Hello".getBytes(StandardCharsets.UTF_8));
        SipUri reporter = SipUri.of("alice", "xmpp.test");
        SipPagerMessage notice = FailureReports.failureNotice(original, reporter, UNAVAILABLE);
        assertThat(text(notice)).isEqualTo(
                "Your message to alice@xmpp.test was not delivered: the recipient is unavailable (recipient-unavailable).");
        assertThat(notice.from()).isEqualTo(reporter);
        assertThat(notice.to()).isEqualTo(original.from());
        assertThat(notice.requestUri()).isEqualTo(original.from());
        assertThat(notice.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
        assertThat(notice.language()).contains("en");
        assertThat(notice.callId()).isEmpty();
    }

    /** The subject, a new address and the error's text, each made safe to quote. */
    @Test
    void failureNoticeQuotesWhatThePeersSaid() {
        SipPagerMessage original = new SipPagerMessage(ALICE, BOB, BOB, Optional.empty(), MediaType.TEXT_PLAIN_UTF8,
                "Hello".getBytes(StandardCharsets.UTF_8), Optional.of("fr"), Optional.of("Lunch?"));
        StanzaError gone = new StanzaError(StanzaErrorCondition.GONE.defaultType(), StanzaErrorCondition.GONE,
                Optional.of("Moved\r\nX-Injected: yes " + "z".repeat(1000)), Optional.of("xmpp:bob@new.example"));
        String text = text(FailureReports.failureNotice(original, BOB, gone));
        assertThat(text).startsWith("Your message \"Lunch?\" to bob@example.com was not delivered: the recipient's "
                + "address is no longer in use (gone). New address: xmpp:bob@new.example. "
                + "Reason given: \"Moved  X-Injected: yes zzz");
        assertThat(text).doesNotContain("\r").doesNotContain("\n").hasSizeLessThan(400);
    }

    /** Every condition of RFC 6120 §8.3.3 has words of its own. */
    @ParameterizedTest
    @EnumSource(StanzaErrorCondition.class)
    void everyConditionIsExplained(StanzaErrorCondition condition) {
        String text = text(FailureReports.failureNotice(ImdnRequestTest.im(), BOB, StanzaError.of(condition, null)));
        assertThat(text).contains(FailureReports.reason(condition)).endsWith("(" + condition.elementName() + ").");
        assertThat(FailureReports.reason(condition)).isNotBlank();
    }

    /** Issue 6: an IMDN when the sender asked for negative-delivery notifications, else the notice. */
    @Test
    void forLateErrorChooses() {
        SipPagerMessage imdn = FailureReports.forLateError(rfcExample(), BOB, UNAVAILABLE, NOW, "n4");
        assertThat(imdn.contentType()).isEqualTo(ImdnRequestTest.CPIM);
        assertThat(imdn.to()).isEqualTo(ALICE);
        List<SipPagerMessage> notAsking = List.of(ImdnRequestTest.asking("display"), ImdnRequestTest.im(),
                ImdnRequestTest.message(MediaType.TEXT_PLAIN_UTF8, "hi".getBytes(StandardCharsets.UTF_8)),
                ImdnRequestTest.message(ImdnRequestTest.CPIM, Rfc5438Examples.verbatim(Rfc5438Examples.IM_REQUEST)));
        for (SipPagerMessage original : notAsking) {
            SipPagerMessage notice = FailureReports.forLateError(original, BOB, UNAVAILABLE, NOW, "n5");
            assertThat(notice.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
            assertThat(notice.requestUri()).isEqualTo(ALICE);
        }
    }
}
