package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proves the real-peer harness without Isthmus: Prosody with two slixmpp clients and its component
 * port, and SIPp talking to SIPp. When one of these fails, the interop tests of the gateway cannot
 * be trusted either.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InteropHarnessTest {

    private static final String TEXT = "Grüße, 日本語, emoji 😀 & <xml>";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void xmppMessageBetweenProsodyUsersArrivesIntact() {
        try (ProsodyServer prosody = ProsodyServer.start();
                XmppClientProcess carol = prosody.login("carol");
                XmppClientProcess alice = prosody.login("alice")) {
            String id = alice.send(prosody.jid("carol"), TEXT);

            JsonNode message = carol.nextMessage(WAIT);
            assertThat(message.path("body").asText()).isEqualTo(TEXT);
            assertThat(message.path("id").asText()).isEqualTo(id);
            assertThat(message.path("type").asText()).isEqualTo("chat");
            assertThat(message.path("from").asText()).startsWith(prosody.jid("alice") + "/");
        }
    }

    @Test
    void xmppMessageToUnknownUserComesBackAsError() {
        try (ProsodyServer prosody = ProsodyServer.start();
                XmppClientProcess alice = prosody.login("alice")) {
            String id = alice.send(prosody.jid("nobody"), TEXT);

            JsonNode error = alice.nextMessage(WAIT);
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("id").asText()).isEqualTo(id);
            assertThat(error.path("error").path("condition").asText()).isEqualTo("service-unavailable");
        }
    }

    @Test
    void prosodyRestartsOnTheSamePortsWithTheSameAccounts() {
        try (ProsodyServer prosody = ProsodyServer.start()) {
            int c2sPort = prosody.c2sPort();
            prosody.restart();

            assertThat(prosody.isRunning()).isTrue();
            assertThat(prosody.c2sPort()).isEqualTo(c2sPort);
            try (XmppClientProcess alice = prosody.login("alice")) {
                assertThat(alice.isRunning()).isTrue();
            }
        }
    }

    /** XEP-0114 §3: the component port accepts the handshake SHA-1(stream id + secret). */
    @Test
    void componentPortAcceptsTheSecret() throws IOException, NoSuchAlgorithmException {
        try (ProsodyServer prosody = ProsodyServer.start();
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(Peers.loopback(), prosody.componentPort()), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='" + prosody.componentDomain() + "'>").getBytes(StandardCharsets.UTF_8));
            out.flush();
            Matcher streamId = Pattern.compile("<stream:stream[^>]*\\sid=['\"]([^'\"]+)['\"]")
                    .matcher(readUntil(in, ">", "stream:stream"));
            assertThat(streamId.find()).as("stream header with an id").isTrue();

            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((streamId.group(1) + prosody.componentSecret()).getBytes(StandardCharsets.UTF_8));
            out.write(("<handshake>" + HexFormat.of().formatHex(digest) + "</handshake>").getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(readUntil(in, "handshake", null)).contains("<handshake/>");
        }
    }

    /** Reads until the text holds {@code end} (after {@code after}, when given), or 5 s pass. */
    private static String readUntil(InputStream in, String end, String after) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            int from = after == null ? 0 : text.indexOf(after);
            if (from >= 0 && text.indexOf(end, from) >= 0) {
                break;
            }
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            text.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    @ParameterizedTest
    @EnumSource(Sipp.Transport.class)
    void sipMessageFromUacToUasArrivesIntact(Sipp.Transport transport) {
        try (Sipp.Running uas = Sipp.scenario("uas_message.xml").withTransport(transport).start()) {
            Sipp.Result uac = Sipp.scenario("uac_message.xml")
                    .withTransport(transport)
                    .withRemote(uas.port())
                    .withKey("from_uri", "sip:bob@sip.test")
                    .withKey("to_uri", "sip:alice@xmpp.test")
                    .withInjection(TEXT)
                    .run();
            Sipp.Result received = uas.await(WAIT);

            assertThat(uac.succeeded()).as(uac.diagnostics()).isTrue();
            assertThat(uac.finalStatus()).hasValue(200);
            assertThat(received.succeeded()).as(received.diagnostics()).isTrue();
            Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
            assertThat(message.startLine()).isEqualTo("MESSAGE sip:alice@xmpp.test SIP/2.0");
            assertThat(message.header("From")).hasValueSatisfying(from -> assertThat(from).startsWith("<sip:bob@sip.test>"));
            assertThat(message.header("Content-Type")).hasValue("text/plain;charset=UTF-8");
            assertThat(message.body()).isEqualTo(TEXT + Sipp.BODY_LINE_END);
        }
    }

    @Test
    void sipUasAnswersWithTheStatusItIsGiven() {
        try (Sipp.Running uas = Sipp.scenario("uas_message.xml").withVariable("status", "404").start()) {
            Sipp.Result uac = Sipp.scenario("uac_message.xml")
                    .withRemote(uas.port())
                    .withKey("from_uri", "sip:bob@sip.test")
                    .withKey("to_uri", "sip:nobody@xmpp.test")
                    .withInjection(TEXT)
                    .run();

            assertThat(uac.succeeded()).as(uac.diagnostics()).isTrue();
            assertThat(uac.finalStatus()).hasValue(404);
            assertThat(uas.await(WAIT).succeeded()).isTrue();
        }
    }
}
