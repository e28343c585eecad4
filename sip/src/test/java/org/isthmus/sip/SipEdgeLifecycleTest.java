package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestUserAgent;

/** Starting, failing to start and closing the edge. */
class SipEdgeLifecycleTest {

    private static final String HOST = "127.0.0.1";

    private static SipSettings settings(int port, Set<String> transports) {
        return new SipSettings(HOST, port, transports, Optional.empty(), "Isthmus-test/0");
    }

    @Test
    void aTakenPortIsAClearStartFailure() throws Exception {
        int port = TestUserAgent.freePort(HOST);
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), port))) {
            SipEdge edge = new SipEdge(settings(port, Set.of("udp")), new RecordingHandler());

            assertThatThrownBy(edge::start)
                    .isInstanceOf(SipException.class)
                    .hasMessageContaining("cannot listen on udp " + HOST + ":" + taken.getLocalPort())
                    .hasMessageContaining("in use");
            edge.close();
        }
    }

    @Test
    void closeIsIdempotentAndSendingAfterwardsIs503() throws Exception {
        SipEdge edge = new SipEdge(settings(TestUserAgent.freePort(HOST), Set.of("udp", "tcp")), new RecordingHandler());
        edge.start();
        edge.close();
        edge.close();

        SipUri to = SipUri.of("romeo", "sip.example");
        SipPagerMessage m = new SipPagerMessage(SipUri.of("juliet", "xmpp.example"), to, to, Optional.empty(),
                MediaType.TEXT_PLAIN_UTF8, new byte[] {'x'}, Optional.empty(), Optional.empty());
        assertThat(edge.sendMessage(m, SipTarget.direct(to)).get(1, TimeUnit.SECONDS).status().code()).isEqualTo(503);
        assertThatThrownBy(edge::start).isInstanceOf(SipException.class).hasMessageContaining("closed");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> settings(5060, Set.of("tls"))).isInstanceOf(SipException.class)
                .hasMessageContaining("tls");
        assertThatThrownBy(() -> settings(0, Set.of("udp"))).isInstanceOf(SipException.class);
        assertThatThrownBy(() -> settings(5060, Set.of())).isInstanceOf(SipException.class);
        assertThat(settings(5060, Set.of("UDP")).transports()).containsExactly("udp");
        assertThatThrownBy(() -> new SipHop("h", 5060, "sctp")).isInstanceOf(SipException.class);
        assertThat(new SipHop("h", 5060, "TCP").transport()).isEqualTo("tcp");
    }
}
