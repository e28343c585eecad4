package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.sip.testing.TestCertificates;
import org.isthmus.xmpp.XmppHandler;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.PeerPolicy;
import org.isthmus.xmpp.s2s.S2sService;
import org.isthmus.xmpp.s2s.S2sSettings;
import org.isthmus.xmpp.s2s.S2sTls;

/**
 * Isthmus's S2sService federating with a real ejabberd 23.01 on loopback: an ejabberd user's message
 * to {@code bob@isthmus.test} reaches the handler, and a message the service sends reaches the
 * ejabberd user, over STARTTLS + SASL EXTERNAL (XEP-0178) and over STARTTLS + dialback (XEP-0220).
 * ejabberd finds Isthmus through an SRV record in its own resolver cache (see {@link EjabberdServer}),
 * so Isthmus listens on a free port; Isthmus finds ejabberd through a static route.
 */
@Tag("interop")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class S2sEjabberdInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ISTHMUS = "isthmus.test";
    private static final String ISTHMUS_ADDRESS = "127.0.0.1";

    /**
     * One CA signs both certificates and both servers trust it: EXTERNAL authenticates each way.
     *
     * <p>The certificates carry DNS-IDs only (the SIP module's test CA makes those), no XmppAddr: ejabberd
     * 23.01 (p1_xmpp 1.6.1, {@code xmpp_stream_pkix:get_domains_from_san/1}) crashes its inbound stream
     * on a certificate whose XmppAddr names a domain, with {@code badarg} in {@code ++}, when it checks
     * the peer for SASL EXTERNAL. RFC 6120 §13.7.1.2 asks for DNS-IDs; XmppAddr is optional.
     */
    @Test
    void messagesCrossBothWaysOverTlsAndSaslExternal() throws Exception {
        TestCertificates ca = TestCertificates.create();
        exchange(ca.issue("ejabberd", EjabberdServer.XMPP_DOMAIN), ca.caFile(), ca.issue("isthmus", ISTHMUS),
                ca.caFile(), new PeerPolicy(PeerPolicy.TlsRequirement.REQUIRED, EnumSet.of(PeerPolicy.AuthMethod.EXTERNAL)),
                "EXTERNAL");
    }

    /**
     * Each server's certificate comes from a CA only that server trusts, so neither certificate
     * authenticates its domain to the other side: TLS still encrypts, and dialback authenticates, both
     * ways. Isthmus accepts both methods here, as in production, and has to fall back on its own.
     */
    @Test
    void messagesCrossBothWaysOverTlsAndDialback() throws Exception {
        TestCertificates ejabberdCa = TestCertificates.create();
        TestCertificates isthmusCa = TestCertificates.create();
        exchange(ejabberdCa.issue("ejabberd", EjabberdServer.XMPP_DOMAIN), ejabberdCa.caFile(),
                isthmusCa.issue("isthmus", ISTHMUS), isthmusCa.caFile(), PeerPolicy.DEFAULT, "dialback");
    }

    /**
     * One message each way between alice on ejabberd and bob at Isthmus, then a look at ejabberd's log
     * for the authentication {@code method} it names ({@code EXTERNAL} or {@code dialback}) on its
     * inbound and outbound stream.
     */
    private void exchange(TestCertificates.Issued ejabberdCertificate, Path ejabberdTrusts,
                          TestCertificates.Issued isthmusCertificate, Path isthmusTrusts, PeerPolicy policy,
                          String method) throws Exception {
        exchange(ejabberdCertificate, ejabberdTrusts, isthmusCertificate, isthmusTrusts, policy,
                Map.of("inbound", method, "outbound", method));
    }

    /**
     * Like {@link #exchange(TestCertificates.Issued, Path, TestCertificates.Issued, Path, PeerPolicy, String)},
     * with the method ejabberd should log for each of its directions ({@code inbound}: Isthmus's stream to
     * it; {@code outbound}: its stream to Isthmus).
     */
    private void exchange(TestCertificates.Issued ejabberdCertificate, Path ejabberdTrusts,
                          TestCertificates.Issued isthmusCertificate, Path isthmusTrusts, PeerPolicy policy,
                          Map<String, String> methods) throws Exception {
        int isthmusPort = Peers.freePort();
        Recording handler = new Recording();
        try (EjabberdServer ejabberd = EjabberdServer.start(ejabberdCertificate.chain(), ejabberdCertificate.key(),
                ejabberdTrusts, ISTHMUS, ISTHMUS_ADDRESS, isthmusPort, Map.of("alice", "alice-pw"))) {
            S2sSettings settings = S2sSettings.of(Set.of(ISTHMUS), ISTHMUS_ADDRESS, isthmusPort,
                            Optional.of(new S2sTls(isthmusCertificate.chain(), isthmusCertificate.key(),
                                    Optional.of(isthmusTrusts))), "interop-dialback-secret-0123456789")
                    .withDefaultPolicy(policy)
                    .withStaticRoute(EjabberdServer.XMPP_DOMAIN, PeerAddress.of("127.0.0.1", ejabberd.s2sPort()));
            try (S2sService service = new S2sService(settings, handler);
                 XmppClientProcess alice = ejabberd.login("alice")) {
                service.start();

                // ejabberd → Isthmus: ejabberd opens the stream to isthmus.test.
                alice.send("bob@" + ISTHMUS, "hello from ejabberd");
                XmppMessage received = handler.messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(received).as("message at Isthmus\n" + ejabberd.diagnostics()).isNotNull();
                assertThat(received.from().bare().toString()).isEqualTo(ejabberd.jid("alice"));
                assertThat(received.body()).contains("hello from ejabberd");

                // Isthmus → ejabberd: Isthmus opens its own stream to ejabberd.test.
                XmppMessage reply = new XmppMessage(Jid.parse("bob@" + ISTHMUS).orThrow(),
                        Jid.parse(ejabberd.jid("alice")).orThrow(), Optional.of("isthmus-1"), MessageType.CHAT,
                        Optional.empty(), Optional.of("hello from isthmus"), Optional.empty(), Optional.empty(),
                        Optional.empty());
                service.send(reply).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                JsonNode atAlice = alice.nextMessage(WAIT);
                assertThat(atAlice.path("body").asText()).as(ejabberd.diagnostics()).isEqualTo("hello from isthmus");
                assertThat(atAlice.path("from").asText()).startsWith("bob@" + ISTHMUS);
            }
            for (String direction : List.of("inbound", "outbound")) {
                Pattern accepted = Pattern.compile("Accepted " + direction + " s2s " + methods.get(direction)
                        + " authentication");
                assertThat(ejabberd.awaitLogLine(accepted, Duration.ofSeconds(5)))
                        .as("'" + accepted + "' in ejabberd's log\n" + ejabberd.diagnostics()).isTrue();
            }
        }
    }

    /**
     * ejabberd 23.01 drops the stream when Isthmus offers SASL EXTERNAL with a certificate that carries
     * an XmppAddr name (a crash in its get_domains_from_san). Isthmus then falls back to dialback on a
     * new connection by itself, so the messages still cross: ejabberd authenticates Isthmus's stream by
     * dialback, while its own stream to Isthmus uses EXTERNAL.
     */
    @Test
    void isthmusFallsBackToDialbackWhenEjabberdDropsItsExternalAttempt() throws Exception {
        TestCertificates ejabberdCa = TestCertificates.create();
        org.isthmus.xmpp.testing.TestCertificates isthmusCa = org.isthmus.xmpp.testing.TestCertificates.authority(
                Peers.workDirectory("ejabberd-xmppaddr"), "xmppaddr");
        org.isthmus.xmpp.testing.TestCertificates.Issued withXmppAddr = isthmusCa.issue(ISTHMUS);
        exchange(ejabberdCa.issue("ejabberd", EjabberdServer.XMPP_DOMAIN), isthmusCa.caFile(),
                new TestCertificates.Issued(withXmppAddr.key(), withXmppAddr.chain(), isthmusCa.caFile()),
                ejabberdCa.caFile(), PeerPolicy.DEFAULT, Map.of("inbound", "dialback", "outbound", "EXTERNAL"));
    }

    /** Keeps the messages the service delivers. */
    private static final class Recording implements XmppHandler {
        final BlockingQueue<XmppMessage> messages = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(XmppMessage message) {
            messages.add(message);
        }

        @Override
        public void onLinkStateChanged(String domain, boolean up, String reason) {
            // local domains up at start, down at close
        }
    }
}
