package org.isthmus.xmpp.s2s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.XmppHandler;
import org.isthmus.xmpp.s2s.PeerPolicy.AuthMethod;
import org.isthmus.xmpp.s2s.PeerPolicy.TlsRequirement;
import org.isthmus.xmpp.stream.Namespaces;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * Dialback elements go on the wire with the {@code db} prefix the stream header declares (XEP-0220
 * §2.1.1: they MUST be prefixed). ejabberd 23.01 recognises {@code <db:verify/>} only by that prefixed
 * name: a {@code <verify xmlns='jabber:server:dialback'/>} it leaves unanswered, and the dialback
 * never completes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DialbackWireFormatTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final PeerPolicy PLAIN_DIALBACK = new PeerPolicy(TlsRequirement.OPTIONAL, EnumSet.of(AuthMethod.DIALBACK));

    @Test
    void dialbackElementsArePrefixedAndTheirChildrenStayInJabberServer() {
        XmlElement verify = XmlElement.builder(Namespaces.DIALBACK, "verify")
                .attribute("from", "a.test").attribute("to", "b.test").attribute("id", "s1").text("k3y").build();
        assertThat(S2sStream.toWire(verify)).isEqualTo("<db:verify from='a.test' to='b.test' id='s1'>k3y</db:verify>");

        XmlElement error = XmlElement.builder(Namespaces.DIALBACK, "result")
                .attribute("from", "a.test").attribute("to", "b.test").attribute("type", "error")
                .child(XmlElement.builder(Namespaces.SERVER, "error").attribute("type", "cancel")
                        .child(XmlElement.builder(StanzaErrorCondition.NAMESPACE, "item-not-found").build()).build())
                .build();
        assertThat(S2sStream.toWire(error)).isEqualTo("<db:result from='a.test' to='b.test' type='error'>"
                + "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>");
    }

    @Test
    void otherElementsKeepTheirNamespaceDeclaration() {
        XmlElement starttls = XmlElement.builder(Namespaces.TLS, "starttls").build();
        assertThat(S2sStream.toWire(starttls)).isEqualTo("<starttls xmlns='" + Namespaces.TLS + "'/>");
    }

    /** As receiving server: the db:verify to the authoritative server and the db:result back are both prefixed. */
    @Test
    void receivingServerSendsPrefixedVerifyAndResult() throws Exception {
        try (ServerSocket authoritative = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = freePort();
            S2sSettings settings = S2sSettings.of(Set.of("a.test"), "127.0.0.1", port, Optional.empty(),
                            "secret-of-a.test-0123456789")
                    .withDefaultPolicy(PLAIN_DIALBACK)
                    .withStaticRoute("b.test", PeerAddress.of("127.0.0.1", authoritative.getLocalPort()));
            try (S2sService a = new S2sService(settings, new Ignoring())) {
                a.start();
                try (RawPeer initiating = new RawPeer(a.localAddress())) {
                    initiating.send(header("b.test", "a.test", ""));
                    initiating.awaitText("</stream:features>", WAIT);
                    String streamId = initiating.attribute("<stream:stream", "id");
                    initiating.send("<db:result from='b.test' to='a.test'>some-key</db:result>");

                    authoritative.setSoTimeout((int) WAIT.toMillis());
                    try (Socket socket = authoritative.accept()) {
                        Wire wire = new Wire(socket);
                        wire.awaitText("<stream:stream");
                        wire.send(header("b.test", "a.test", " id='auth-1'")
                                + "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
                        String verify = wire.awaitText("</db:verify>");
                        assertThat(verify).contains("<db:verify from='a.test' to='b.test' id='" + streamId + "'>some-key");
                        assertThat(verify.substring(verify.indexOf("<db:verify")))
                                .doesNotContain("xmlns='" + Namespaces.DIALBACK + "'");
                        wire.send("<db:verify from='b.test' to='a.test' id='" + streamId + "' type='valid'/>");
                    }
                    String result = initiating.awaitText("type='valid'", WAIT);
                    assertThat(result).contains("<db:result from='a.test' to='b.test' type='valid'/>");
                }
            }
        }
    }

    private static String header(String from, String to, String extra) {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                + " xmlns:db='jabber:server:dialback' from='" + from + "' to='" + to + "'" + extra + " version='1.0'>";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The accepted side of a plain connection: raw XML out, text in until a marker arrives. */
    private static final class Wire {
        private final InputStream in;
        private final OutputStream out;
        private final StringBuilder received = new StringBuilder();

        Wire(Socket socket) throws IOException {
            socket.setSoTimeout((int) WAIT.toMillis());
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void send(String xml) throws IOException {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String awaitText(String text) throws IOException {
            byte[] buffer = new byte[4096];
            while (received.indexOf(text) < 0) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("did not receive '" + text + "'; got: " + received);
                }
                if (n < 0) {
                    throw new AssertionError("closed before '" + text + "'; got: " + received);
                }
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            return received.toString();
        }
    }

    /** Nothing is delivered in these tests. */
    private static final class Ignoring implements XmppHandler {
        @Override
        public void onMessage(XmppMessage message) {
            // nothing is routed to a user here
        }

        @Override
        public void onLinkStateChanged(String domain, boolean up, String reason) {
            // link state is not under test
        }
    }
}
