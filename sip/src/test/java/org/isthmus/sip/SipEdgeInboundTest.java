package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sip.header.AllowHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestUserAgent;

/** Requests sent to the edge: RFC 3428 §7 MESSAGE, RFC 3261 §10.3 REGISTER, §11.2 OPTIONS, §8.2 refusals. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeInboundTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";
    private static final Duration TCP_READ_TIMEOUT = Duration.ofSeconds(1);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int edgePort;
    private TestUserAgent ua;

    @BeforeAll
    void start() {
        edgePort = TestUserAgent.freePort(HOST);
        edge = new SipEdge(new SipSettings(HOST, edgePort, java.util.Set.of("udp", "tcp"), Optional.empty(),
                "Isthmus-test/0"), handler, new EdgeTimers(Duration.ofSeconds(2), Duration.ofSeconds(35),
                Optional.empty(), TCP_READ_TIMEOUT));
        edge.start();
        ua = TestUserAgent.start(HOST);
    }

    @AfterAll
    void stop() {
        ua.close();
        edge.close();
    }

    @BeforeEach
    void reset() {
        handler.reset();
        ua.reset();
    }

    /** A TCP peer that stops in the middle of a request is cut off, so it cannot hold a connection (and its thread). */
    @Test
    void tcpPeerThatStallsMidRequestIsDisconnected() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, edgePort), 2000);
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(("MESSAGE sip:alice@xmpp.test SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKstall\r\nMax-Forw").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            long start = System.nanoTime();
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (SocketException reset) {
                read = -1;
            }
            Duration held = Duration.ofNanos(System.nanoTime() - start);
            assertThat(read).as("connection closed by the edge").isEqualTo(-1);
            assertThat(held).isLessThan(WAIT);
        }
        assertThat(handler.messages).isEmpty();
    }

    /** The media types of every Accept header of a response, in order. */
    private static List<String> accepted(Response response) {
        List<String> types = new ArrayList<>();
        ListIterator<?> headers = response.getHeaders("Accept");
        while (headers.hasNext()) {
            javax.sip.header.AcceptHeader h = (javax.sip.header.AcceptHeader) headers.next();
            types.add(h.getContentType() + "/" + h.getContentSubType());
        }
        return types;
    }

    private String edgeUri(String user, String transport) {
        return "sip:" + user + "@" + HOST + ":" + edgePort + (transport.equals("udp") ? "" : ";transport=" + transport);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"udp, 202", "tcp, 202", "udp, 404", "tcp, 415", "tcp, 480"})
    void messageReachesTheHandlerAndItsStatusReachesTheSender(String transport, int code) throws Exception {
        handler.onMessage = m -> RecordingHandler.done(SipStatus.of(code));
        byte[] body = "Grüße, Jülïet! 😀".getBytes(StandardCharsets.UTF_8);
        Request request = ua.message(edgeUri("juliet", transport), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>", "text/plain;charset=UTF-8", body);
        ua.with(request, "Subject", "balcony");
        ua.with(request, "Content-Language", "de");
        String callId = ((CallIdHeader) request.getHeader("Call-ID")).getCallId();

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(code);
        assertThat(response.getReasonPhrase()).isEqualTo(SipStatus.defaultReason(code));
        assertThat(((ToHeader) response.getHeader(ToHeader.NAME)).getTag()).isNotBlank();
        // RFC 3261 §21.4.13: a 415 lists what is understood; other statuses do not.
        if (code == 415) {
            assertThat(accepted(response)).containsExactly("text/plain", "text/html", "message/cpim",
                    "multipart/alternative", "multipart/signed", "application/pkcs7-mime");
        } else {
            assertThat(response.getHeader("Accept")).isNull();
        }
        SipPagerMessage m = handler.awaitMessage(WAIT);
        assertThat(m.from()).isEqualTo(SipUri.of("romeo", "sip.example"));
        assertThat(m.to()).isEqualTo(SipUri.of("juliet", "xmpp.example"));
        assertThat(m.requestUri().toString()).isEqualTo(edgeUri("juliet", transport));
        assertThat(m.callId()).contains(callId);
        assertThat(m.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.subject()).contains("balcony");
        assertThat(m.language()).contains("de");
    }

    @Test
    void charsetParameterAndLatin1BytesArePassedUnchanged() throws Exception {
        byte[] body = "Fran\u00e7ais \u00e9t\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        Request request = ua.message(edgeUri("juliet", "udp"), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>", "text/plain;charset=ISO-8859-1", body);

        assertThat(ua.send(request, WAIT).getStatusCode()).isEqualTo(202);

        SipPagerMessage m = handler.awaitMessage(WAIT);
        assertThat(m.contentType().is("text", "plain")).isTrue();
        assertThat(m.contentType().parameter("charset")).contains("ISO-8859-1");
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.language()).isEmpty();
        assertThat(m.subject()).isEmpty();
    }

    @Test
    void udpRetransmissionDoesNotReachTheHandlerTwice() throws Exception {
        CompletableFuture<SipStatus> later = new CompletableFuture<>();
        handler.onMessage = m -> later;
        String request = """
                MESSAGE sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-retrans-1
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: retrans-1@127.0.0.1
                CSeq: 1 MESSAGE
                Content-Type: text/plain
                Content-Length: 5

                hello""".replace("%EDGE%", Integer.toString(edgePort));
        try (RawUdp udp = new RawUdp()) {
            udp.send(request, edgePort);
            handler.awaitMessage(WAIT);
            udp.send(request, edgePort);
            udp.send(request, edgePort);
            Thread.sleep(300);
            later.complete(SipStatus.of(202));
            List<String> responses = udp.receiveAll(Duration.ofMillis(500));

            assertThat(responses).isNotEmpty().allMatch(r -> r.startsWith("SIP/2.0 202 Accepted"));
        }
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void bodyWithoutContentTypeIsRefusedWith400() throws Exception {
        String request = """
                MESSAGE sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-noct-1
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: noct-1@127.0.0.1
                CSeq: 1 MESSAGE
                Content-Length: 5

                hello""".replace("%EDGE%", Integer.toString(edgePort));

        assertThat(exchange(request)).startsWith("SIP/2.0 400 ");
        assertThat(handler.messages).isEmpty();
    }

    /**
     * A Via comment that ends in a backslash sent JAIN-SIP's own Via parser into an endless loop that
     * filled the heap (a fuzzing find); the edge's parser refuses it with 400, and answers the next.
     */
    @Test
    void viaCommentEndingInABackslashLeavesTheEdgeAnswering() throws Exception {
        String hostile = """
                OPTIONS sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-via-1 (\\
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: via-1@127.0.0.1
                CSeq: 1 OPTIONS
                Content-Length: 0

                """.replace("%EDGE%", Integer.toString(edgePort));
        assertThat(exchange(hostile)).startsWith("SIP/2.0 400 ");
        assertThat(exchange(hostile.replace(" (\\", "").replace("via-1", "via-2"))).startsWith("SIP/2.0 200 ");
    }

    @Test
    void emptyMessageWithoutContentTypeIsPlainText() throws Exception {
        String request = """
                MESSAGE sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-empty-1
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: empty-1@127.0.0.1
                CSeq: 1 MESSAGE
                Content-Length: 0

                """.replace("%EDGE%", Integer.toString(edgePort));

        assertThat(exchange(request)).startsWith("SIP/2.0 202 ");
        SipPagerMessage m = handler.awaitMessage(WAIT);
        assertThat(m.contentType()).isEqualTo(MediaType.TEXT_PLAIN_UTF8);
        assertThat(m.bodyLength()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tel:+15551234567, <sip:romeo@sip.example>, 416",
        "sip:juliet@127.0.0.1:%EDGE%, <tel:+15551234567>, 416",
        "sip:juliet@127.0.0.1:%EDGE%, <mailto:romeo@sip.example>, 416",
    })
    void uriSchemesOtherThanSipAreRefusedWith416(String requestUri, String from, int code) throws Exception {
        String request = """
                MESSAGE %RURI% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-scheme-%N%
                Max-Forwards: 70
                From: %FROM%;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: scheme-%N%@127.0.0.1
                CSeq: 1 MESSAGE
                Content-Type: text/plain
                Content-Length: 2

                hi""".replace("%RURI%", requestUri).replace("%FROM%", from)
                .replace("%N%", Integer.toString(Math.abs((requestUri + from).hashCode())))
                .replace("%EDGE%", Integer.toString(edgePort));

        assertThat(exchange(request)).startsWith("SIP/2.0 " + code + " ");
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void handlerThatThrowsGives500() {
        handler.onMessage = m -> {
            throw new IllegalStateException("boom");
        };
        assertThat(sendText("udp").getStatusCode()).isEqualTo(500);
    }

    @Test
    void handlerStageThatFailsGives500() {
        handler.onMessage = m -> CompletableFuture.failedFuture(new IllegalStateException("boom"));
        assertThat(sendText("tcp").getStatusCode()).isEqualTo(500);
    }

    @Test
    void handlerThatNeverAnswersGives500AfterTheTimeout() {
        handler.onMessage = m -> new CompletableFuture<>();
        long start = System.nanoTime();
        Response response = sendText("tcp");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.getStatusCode()).isEqualTo(500);
        assertThat(response.getReasonPhrase()).isEqualTo("gateway timeout");
        assertThat(ms).isBetween(1_500L, 4_000L);
    }

    @Test
    void handlerReasonPhraseIsSent() {
        handler.onMessage = m -> RecordingHandler.done(new SipStatus(404, "No such user here"));
        Response response = sendText("udp");
        assertThat(response.getStatusCode()).isEqualTo(404);
        assertThat(response.getReasonPhrase()).isEqualTo("No such user here");
    }

    private Response sendText(String transport) {
        Request request = ua.message(edgeUri("juliet", transport), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>", "text/plain;charset=UTF-8", "hi".getBytes(StandardCharsets.UTF_8));
        return ua.send(request, WAIT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp", "tcp"})
    void registerIsParsedAndTheBindingsAreReturned(String transport) throws Exception {
        Request request = ua.request(Request.REGISTER, "sip:" + HOST + ":" + edgePort
                        + (transport.equals("tcp") ? ";transport=tcp" : ""),
                "<sip:romeo@xmpp.example>", "<sip:romeo@xmpp.example:5070;user=phone>");
        ua.with(request, "Contact", "<sip:romeo@192.0.2.4:5062;transport=tcp>;expires=60");
        ua.with(request, "Contact", "<sip:romeo@192.0.2.5>");
        ua.with(request, "Expires", "3600");
        handler.onRegister = r -> RecordingHandler.done(RegisterOutcome.ok(List.of(
                new SipBinding(r.bindings().get(0).contact(), OptionalInt.of(60)),
                new SipBinding(r.bindings().get(1).contact(), OptionalInt.of(3600)))));

        Response response = ua.send(request, WAIT);

        SipRegistration r = handler.awaitRegistration(WAIT);
        assertThat(r.addressOfRecord()).isEqualTo(SipUri.of("romeo", "xmpp.example"));
        assertThat(r.bindings()).containsExactly(
                new SipBinding(SipUri.parse("sip:romeo@192.0.2.4:5062;transport=tcp").orThrow(), OptionalInt.of(60)),
                new SipBinding(SipUri.parse("sip:romeo@192.0.2.5").orThrow(), OptionalInt.empty()));
        assertThat(r.wildcard()).isFalse();
        assertThat(r.expires()).hasValue(3600);
        assertThat(r.callId()).isEqualTo(((CallIdHeader) request.getHeader("Call-ID")).getCallId());
        assertThat(r.cseq()).isEqualTo(1L);
        assertThat(r.source().host()).isEqualTo(HOST);
        assertThat(r.source().transport()).isEqualTo(transport);
        if (transport.equals("udp")) {
            assertThat(r.source().port()).isEqualTo(ua.port());
        }

        assertThat(response.getStatusCode()).isEqualTo(200);
        List<String> contacts = new ArrayList<>();
        ListIterator<?> it = response.getHeaders(ContactHeader.NAME);
        while (it.hasNext()) {
            ContactHeader c = (ContactHeader) it.next();
            contacts.add(c.getAddress().getURI() + " expires=" + c.getExpires());
        }
        assertThat(contacts).containsExactly("sip:romeo@192.0.2.4:5062;transport=tcp expires=60",
                "sip:romeo@192.0.2.5 expires=3600");
        assertThat(response.getHeader("Date")).isNotNull();
    }

    @Test
    void registerTooBriefGets423WithMinExpires() throws Exception {
        Request request = ua.request(Request.REGISTER, "sip:" + HOST + ":" + edgePort,
                "<sip:romeo@xmpp.example>", "<sip:romeo@xmpp.example>");
        ua.with(request, "Contact", "<sip:romeo@192.0.2.4>;expires=5");
        handler.onRegister = r -> RecordingHandler.done(RegisterOutcome.intervalTooBrief(600));

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(423);
        assertThat(((MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(600);
        assertThat(response.getHeader(ContactHeader.NAME)).isNull();
        assertThat(handler.awaitRegistration(WAIT).bindings().get(0).expires()).hasValue(5);
    }

    @Test
    void wildcardRegisterWithExpiresZeroIsPassedOn() throws Exception {
        Request request = ua.request(Request.REGISTER, "sip:" + HOST + ":" + edgePort,
                "<sip:romeo@xmpp.example>", "<sip:romeo@xmpp.example>");
        ua.with(request, "Contact", "*");
        ua.with(request, "Expires", "0");
        handler.onRegister = r -> RecordingHandler.done(RegisterOutcome.ok(List.of()));

        assertThat(ua.send(request, WAIT).getStatusCode()).isEqualTo(200);

        SipRegistration r = handler.awaitRegistration(WAIT);
        assertThat(r.wildcard()).isTrue();
        assertThat(r.bindings()).isEmpty();
        assertThat(r.expires()).hasValue(0);
    }

    @Test
    void wildcardRegisterWithoutExpiresZeroIs400() {
        Request request = ua.request(Request.REGISTER, "sip:" + HOST + ":" + edgePort,
                "<sip:romeo@xmpp.example>", "<sip:romeo@xmpp.example>");
        ua.with(request, "Contact", "*");
        ua.with(request, "Expires", "3600");

        assertThat(ua.send(request, WAIT).getStatusCode()).isEqualTo(400);
        assertThat(handler.registrations).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"udp", "tcp"})
    void optionsIsAnsweredWithAllowAndAccept(String transport) {
        Request request = ua.request(Request.OPTIONS, edgeUri("juliet", transport), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>");

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(allowed(response)).containsExactly("MESSAGE", "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY");
        assertThat(accepted(response)).containsExactly("text/plain", "text/html", "message/cpim",
                "multipart/alternative", "multipart/signed", "application/pkcs7-mime");
        assertThat(response.getHeader("Server").toString()).contains("Isthmus-test/0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"INVITE, 405", "PUBLISH, 405", "FROB, 501"})
    void otherMethodsAreRefused(String method, int code) {
        Request request = ua.request(method, edgeUri("juliet", "udp"), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>");
        ua.with(request, "Contact", "<sip:romeo@" + HOST + ":" + ua.port() + ">");
        if (method.equals("SUBSCRIBE") || method.equals("PUBLISH")) {
            ua.with(request, "Event", "presence");
        }

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(code);
        assertThat(allowed(response)).containsExactly("MESSAGE", "REGISTER", "OPTIONS", "SUBSCRIBE", "NOTIFY");
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void requestWithToTagMatchesNoDialogAndGets481() {
        Request request = ua.message(edgeUri("juliet", "udp"), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>", "text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        try {
            ((ToHeader) request.getHeader(ToHeader.NAME)).setTag("old-dialog");
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
        assertThat(ua.send(request, WAIT).getStatusCode()).isEqualTo(481);
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void unsupportedRequireGets420() {
        Request request = ua.message(edgeUri("juliet", "tcp"), "<sip:romeo@sip.example>",
                "<sip:juliet@xmpp.example>", "text/plain", "hi".getBytes(StandardCharsets.UTF_8));
        ua.with(request, "Require", "foo");

        Response response = ua.send(request, WAIT);

        assertThat(response.getStatusCode()).isEqualTo(420);
        assertThat(response.getHeader("Unsupported").toString()).contains("foo");
    }

    @Test
    void cancelForNothingGets481() throws Exception {
        String request = """
                CANCEL sip:juliet@127.0.0.1:%EDGE% SIP/2.0
                Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK-cancel-1
                Max-Forwards: 70
                From: <sip:romeo@sip.example>;tag=r1
                To: <sip:juliet@xmpp.example>
                Call-ID: cancel-1@127.0.0.1
                CSeq: 1 CANCEL
                Content-Length: 0

                """.replace("%EDGE%", Integer.toString(edgePort));

        assertThat(exchange(request)).startsWith("SIP/2.0 481 ");
    }

    /** Sends one raw UDP request and returns the one response it gets. */
    private String exchange(String request) throws Exception {
        try (RawUdp udp = new RawUdp()) {
            udp.send(request, edgePort);
            List<String> responses = udp.receiveAll(Duration.ofMillis(700));
            assertThat(responses).hasSize(1);
            return responses.get(0);
        }
    }

    private static List<String> allowed(Response response) {
        List<String> methods = new ArrayList<>();
        ListIterator<?> it = response.getHeaders(AllowHeader.NAME);
        while (it.hasNext()) {
            methods.add(((AllowHeader) it.next()).getMethod());
        }
        return methods;
    }

}
