package org.isthmus.mapping.message.imdn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.cpim.CpimAddress;
import org.isthmus.mapping.document.imdn.Rfc5438Examples;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;

/** What an IM asks for (RFC 5438 §6, §7.1.1, §10): the RFC's example, malformed and hostile headers. */
class ImdnRequestTest {

    static final SipUri ALICE = SipUri.of("alice", "example.com");
    static final SipUri BOB = SipUri.of("bob", "example.com");
    static final MediaType CPIM = MediaType.parse("message/cpim").orThrow();

    static SipPagerMessage message(MediaType type, byte[] body) {
        return new SipPagerMessage(ALICE, BOB, BOB, Optional.of("call-1@example.com"), type, body, Optional.empty(),
                Optional.empty());
    }

    /** A MESSAGE whose Message/CPIM body has these message headers and a small text/plain content. */
    static SipPagerMessage im(String... headers) {
        List<String> lines = new ArrayList<>(Arrays.asList(headers));
        lines.addAll(List.of("", "Content-Type: text/plain; charset=utf-8", "", "Hello World"));
        return message(CPIM, String.join("\r\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    /** The §7.1.1.3 headers, with the Disposition-Notification given. */
    static SipPagerMessage asking(String dispositionNotification) {
        return im("From: Alice <im:alice@example.com>", "To: Bob <im:bob@example.com>",
                "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: 34jk324j", "DateTime: 2006-04-04T12:16:49-05:00",
                "imdn.Disposition-Notification: " + dispositionNotification);
    }

    /** RFC 5438 §7.1.1.3, with the blank line RFC 3862 §2 requires before the content. */
    @Test
    void rfc5438_s7_1_1_3_example() {
        SipPagerMessage im = message(CPIM, Rfc5438Examples.repaired(Rfc5438Examples.IM_REQUEST));
        ImdnRequest r = ImdnRequest.of(im).orElseThrow();
        assertThat(r).isEqualTo(new ImdnRequest("34jk324j", OffsetDateTime.parse("2006-04-04T12:16:49-05:00"),
                EnumSet.of(RequestedDisposition.POSITIVE_DELIVERY, RequestedDisposition.NEGATIVE_DELIVERY),
                Optional.of(new CpimAddress(Optional.of("Alice"), "im:alice@example.com")),
                Optional.of(new CpimAddress(Optional.of("Bob"), "im:bob@example.com")), Optional.empty(), List.of()));
        assertThat(r.wantsNegativeDelivery()).isTrue();
        assertThat(r.wants(RequestedDisposition.DISPLAY)).isFalse();
        assertThat(r.destination(ALICE)).isEqualTo(ALICE);
    }

    /** As printed, without that blank line, the body is no valid Message/CPIM object: nothing was asked. */
    @Test
    void rfc5438_s7_1_1_3_exampleAsPrinted() {
        SipPagerMessage im = message(CPIM, Rfc5438Examples.verbatim(Rfc5438Examples.IM_REQUEST));
        assertThat(ImdnRequest.of(im)).isEmpty();
    }

    /** §10: spaces around COMMA and SEMI, quoted parameters; unknown tokens are ignored (§7.2.1). */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "negative-delivery                                   | NEGATIVE_DELIVERY",
        "positive-delivery, negative-delivery                | POSITIVE_DELIVERY NEGATIVE_DELIVERY",
        "display,processing                                  | PROCESSING DISPLAY",
        "negative-delivery;x-ttl=30                          | NEGATIVE_DELIVERY",
        "negative-delivery ; x-ttl=30 ; x-why=\"a, b; c\"    | NEGATIVE_DELIVERY",
        "x-future-thing , negative-delivery                  | NEGATIVE_DELIVERY",
        "display                                             | DISPLAY",
    })
    void dispositionNotificationValues(String value, String expected) {
        Set<RequestedDisposition> wanted = EnumSet.noneOf(RequestedDisposition.class);
        for (String name : expected.split(" ")) {
            wanted.add(RequestedDisposition.valueOf(name));
        }
        ImdnRequest r = ImdnRequest.of(asking(value.strip())).orElseThrow();
        assertThat(r.dispositions()).isEqualTo(wanted);
        assertThat(r.wantsNegativeDelivery()).isEqualTo(wanted.contains(RequestedDisposition.NEGATIVE_DELIVERY));
    }

    /** Values that ask for nothing this gateway knows, or that break the syntax of §10. */
    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "x-future-thing",
        "Negative-Delivery",
        "negative-delivery,,display",
        "negative-delivery,",
        "negative delivery",
        "negative-delivery;=30",
        "negative-delivery;ttl",
        "negative-delivery;ttl=\"unterminated",
        "\"negative-delivery\"",
        "negative-delivery<>",
    })
    void dispositionNotificationsAskingNothing(String value) {
        assertThat(ImdnRequest.of(asking(value))).isEmpty();
    }

    @Test
    void severalDispositionHeadersAddUp() {
        ImdnRequest r = ImdnRequest.of(im("NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m1",
                "DateTime: 2006-04-04T12:16:49-05:00", "imdn.Disposition-Notification: display",
                "imdn.Disposition-Notification: negative-delivery")).orElseThrow();
        assertThat(r.dispositions())
                .containsExactly(RequestedDisposition.NEGATIVE_DELIVERY, RequestedDisposition.DISPLAY);
        assertThat(r.sender()).isEmpty();
        assertThat(r.recipient()).isEmpty();
    }

    /** §6.1: servers and intermediaries accept any legal prefix. */
    @Test
    void anyPrefixWorks() {
        ImdnRequest r = ImdnRequest.of(im("NS: n <urn:ietf:params:imdn>", "n.Message-ID: m1",
                "DateTime: 2006-04-04T12:16:49Z", "n.Disposition-Notification: negative-delivery")).orElseThrow();
        assertThat(r.messageId()).isEqualTo("m1");
        // The same names in another namespace are someone else's headers.
        assertThat(ImdnRequest.of(im("NS: n <urn:example:other>", "n.Message-ID: m1",
                "DateTime: 2006-04-04T12:16:49Z", "n.Disposition-Notification: negative-delivery"))).isEmpty();
    }

    /** §6.4, §6.5, §7.2.1: Original-To, and IMDN-Record-Route in order, the top one the destination. */
    @Test
    void originalToAndRecordRoutes() {
        ImdnRequest r = ImdnRequest.of(im("From: <sip:alice@example.com>", "To: <sip:bob@example.com>",
                "NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m1", "DateTime: 2006-04-04T12:16:49Z",
                "imdn.Disposition-Notification: negative-delivery",
                "imdn.Original-To: \"The List\" <sip:list@lists.example.com>",
                "imdn.IMDN-Record-Route: <im:relay1@relays.example.com>",
                "imdn.IMDN-Record-Route: Relay <sip:relay2.example.com;transport=tcp>")).orElseThrow();
        assertThat(r.originalTo()).contains(new CpimAddress(Optional.of("The List"), "sip:list@lists.example.com"));
        assertThat(r.recordRoutes()).extracting(CpimAddress::uri)
                .containsExactly("im:relay1@relays.example.com", "sip:relay2.example.com;transport=tcp");
        assertThat(r.destination(ALICE)).isEqualTo(SipUri.of("relay1", "relays.example.com"));
    }

    static final String[] GOOD = {"NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m1",
        "DateTime: 2006-04-04T12:16:49Z", "imdn.Disposition-Notification: negative-delivery"};

    private static SipPagerMessage good(String... more) {
        List<String> lines = new ArrayList<>(Arrays.asList(GOOD));
        lines.addAll(Arrays.asList(more));
        return im(lines.toArray(String[]::new));
    }

    @Test
    void theBaselineAsks() {
        assertThat(ImdnRequest.of(good())).isPresent();
    }

    /** Malformed IMDN headers: nothing is asked, and nothing is thrown. */
    @Test
    void malformedHeadersAskNothing() {
        // §6.3, §7.1.1.1 and §7.1.1.2: no Message-ID, or no DateTime
        assertThat(ImdnRequest.of(im("NS: imdn <urn:ietf:params:imdn>", "DateTime: 2006-04-04T12:16:49Z",
                "imdn.Disposition-Notification: negative-delivery"))).isEmpty();
        assertThat(ImdnRequest.of(im("NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m1",
                "imdn.Disposition-Notification: negative-delivery"))).isEmpty();
        // two Message-IDs, one that is no Token, one over the length limit
        assertThat(ImdnRequest.of(good("imdn.Message-ID: m2"))).isEmpty();
        assertThat(ImdnRequest.of(im("NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: m 1",
                "DateTime: 2006-04-04T12:16:49Z", "imdn.Disposition-Notification: negative-delivery"))).isEmpty();
        assertThat(ImdnRequest.of(im("NS: imdn <urn:ietf:params:imdn>",
                "imdn.Message-ID: " + "m".repeat(ImdnRequest.MAX_MESSAGE_ID_LENGTH + 1),
                "DateTime: 2006-04-04T12:16:49Z", "imdn.Disposition-Notification: negative-delivery"))).isEmpty();
        // §6.4: Original-To twice, or not an address
        assertThat(ImdnRequest.of(good("imdn.Original-To: <sip:a@example.com>",
                "imdn.Original-To: <sip:b@example.com>"))).isEmpty();
        assertThat(ImdnRequest.of(good("imdn.Original-To: sip:a@example.com"))).isEmpty();
        // §6.5: a record route that is no address, or one no MESSAGE can be sent to
        assertThat(ImdnRequest.of(good("imdn.IMDN-Record-Route: relay.example.com"))).isEmpty();
        assertThat(ImdnRequest.of(good("imdn.IMDN-Record-Route: <http://relay.example.com/imdn>"))).isEmpty();
        assertThat(ImdnRequest.of(good("imdn.IMDN-Record-Route: <im:@>"))).isEmpty();
        assertThat(ImdnRequest.of(good("imdn.IMDN-Record-Route: <sip:a@[::1>"))).isEmpty();
        // a prefix used before its NS header (RFC 3862 §3.4)
        assertThat(ImdnRequest.of(im("imdn.Message-ID: m1", "NS: imdn <urn:ietf:params:imdn>",
                "DateTime: 2006-04-04T12:16:49Z", "imdn.Disposition-Notification: negative-delivery"))).isEmpty();
    }

    /** Bodies that are no IM asking for anything. */
    @Test
    void otherBodiesAskNothing() {
        assertThat(ImdnRequest.of(message(MediaType.TEXT_PLAIN_UTF8,
                "imdn.Disposition-Notification: negative-delivery".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        assertThat(ImdnRequest.of(message(CPIM, new byte[0]))).isEmpty();
        assertThat(ImdnRequest.of(message(CPIM, "garbage".getBytes(StandardCharsets.UTF_8)))).isEmpty();
        // §7.2.1: an IMDN never asks for an IMDN, whatever it carries.
        String imdn = String.join("\r\n", GOOD) + "\r\n\r\nContent-Type: message/imdn+xml\r\n"
                + "Content-Disposition: notification\r\n\r\n<imdn/>";
        assertThat(ImdnRequest.of(message(CPIM, imdn.getBytes(StandardCharsets.UTF_8)))).isEmpty();
        String marked = String.join("\r\n", GOOD) + "\r\n\r\nContent-Type: text/plain\r\n"
                + "Content-Disposition: Notification; handling=optional\r\n\r\nhi";
        assertThat(ImdnRequest.of(message(CPIM, marked.getBytes(StandardCharsets.UTF_8)))).isEmpty();
    }

    /**
     * Hostile headers: 10 KB values, bare CR or LF (an attempt to smuggle a header line), NUL, invalid
     * UTF-8, lone surrogates escaped into a formal name. Each asks nothing, quickly.
     */
    @Test
    void hostileHeadersAskNothing() {
        String tenK = "x".repeat(10 * 1024);
        List<SipPagerMessage> hostile = List.of(
                good("imdn.Original-To: \"" + tenK + "\" <sip:a@example.com>"),
                asking("negative-delivery, " + tenK),
                im("NS: imdn <urn:ietf:params:imdn>", "imdn.Message-ID: " + tenK, "DateTime: 2006-04-04T12:16:49Z",
                        "imdn.Disposition-Notification: negative-delivery"),
                asking("display\nimdn.Disposition-Notification: negative-delivery"),
                asking("display\rimdn.Disposition-Notification: negative-delivery"),
                asking("negative-delivery\u0000"),
                good("imdn.Original-To: \"\\ud800\" <sip:a@example.com>"));
        for (SipPagerMessage m : hostile) {
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(2), () -> ImdnRequest.of(m)))
                    .as("%s", m).isEmpty();
        }
        byte[] body = good().body();
        byte[] badUtf8 = Arrays.copyOf(body, body.length);
        badUtf8[new String(body, StandardCharsets.UTF_8).indexOf("m1")] = (byte) 0xC3;
        assertThat(ImdnRequest.of(message(CPIM, badUtf8))).isEmpty();
    }

    /** Every prefix of an asking body, and random corruptions of it: a value each time, never an exception. */
    @Test
    void truncatedAndCorruptedBodiesNeverThrow() {
        byte[] body = good("imdn.Original-To: \"A\\\"B\" <sip:a@example.com>",
                "imdn.IMDN-Record-Route: <im:relay@example.com>").body();
        assertThat(ImdnRequest.of(message(CPIM, body))).isPresent();
        for (int i = 0; i < body.length; i++) {
            ImdnRequest.of(message(CPIM, Arrays.copyOf(body, i)));
        }
        Random random = new Random(5438);
        byte[] alphabet = "\r\n\0 ;,<>\":\\.=@xX\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 5000; round++) {
            byte[] copy = body.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                copy[random.nextInt(copy.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            ImdnRequest.of(message(CPIM, copy));
        }
    }
}
