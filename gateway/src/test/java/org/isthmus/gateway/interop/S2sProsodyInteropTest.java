package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.xmpp.XmppHandler;
import org.isthmus.xmpp.s2s.PeerAddress;
import org.isthmus.xmpp.s2s.PeerPolicy;
import org.isthmus.xmpp.s2s.S2sService;
import org.isthmus.xmpp.s2s.S2sSettings;
import org.isthmus.xmpp.s2s.S2sTls;
import org.isthmus.xmpp.testing.TestCertificates;

/**
 * Isthmus's S2sService federating with a real Prosody 0.12 on loopback: a Prosody user's message
 * to {@code bob@isthmus.test} reaches the handler, and a message the service sends reaches the
 * Prosody user, over TLS + SASL EXTERNAL and over TLS + dialback. Isthmus listens on 127.0.0.2:5269
 * because Prosody finds it by its A record (no SRV) on the standard port.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class S2sProsodyInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ISTHMUS = "isthmus.test";
    private static final String ISTHMUS_ADDRESS = "127.0.0.2";

    @Test
    void messagesCrossBothWaysOverTlsAndSaslExternal() throws Exception {
        exchange(true, new PeerPolicy(PeerPolicy.TlsRequirement.REQUIRED, EnumSet.of(PeerPolicy.AuthMethod.EXTERNAL)));
    }

    @Test
    void messagesCrossBothWaysOverTlsAndDialback() throws Exception {
        exchange(false, new PeerPolicy(PeerPolicy.TlsRequirement.REQUIRED, EnumSet.of(PeerPolicy.AuthMethod.DIALBACK)));
    }

    /**
     * Issue 9's reload: the peer's domain denied while its streams are up ends them with
     * {@code <policy-violation/>} (RFC 6120 §4.9.3.14), its next message does not get through, and
     * allowing it again lets the one after through, all without restarting the service.
     */
    @Test
    void aPeerDeniedByAReloadedPolicyLosesItsStreamsUntilAllowedAgain() throws Exception {
        reloadPolicy = true;
        exchange(false, new PeerPolicy(PeerPolicy.TlsRequirement.REQUIRED, EnumSet.of(PeerPolicy.AuthMethod.DIALBACK)));
    }

    private boolean reloadPolicy;

    /**
     * Issue 9's reload of the static routes: while the route to Prosody's domain names a port where
     * nothing listens, a message to it fails; once a reload names Prosody's s2s port, the next message
     * connects there and arrives, without restarting the service.
     */
    @Test
    void aPeerRouteChangedByAReloadIsUsedFromTheNextConnection() throws Exception {
        try (Federation federation = Federation.start(false)) {
            ProsodyS2sPeer prosody = federation.prosody();
            S2sSettings wrong = federation.settings()
                    .withStaticRoute(ProsodyS2sPeer.XMPP_DOMAIN, PeerAddress.of("127.0.0.1", Peers.freePort()));
            try (S2sService service = new S2sService(wrong, new Recording());
                 XmppClientProcess alice = prosody.login("alice")) {
                service.start();
                XmppMessage first = new XmppMessage(Jid.parse("bob@" + ISTHMUS).orThrow(),
                        Jid.parse(prosody.jid("alice")).orThrow(), Optional.of("isthmus-route-1"), MessageType.CHAT,
                        Optional.empty(), Optional.of("to the wrong address"), Optional.empty(), Optional.empty(),
                        Optional.empty());
                assertThat(service.send(first).handle((ok, e) -> e).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("a stanza over a route where nothing listens fails").isNotNull();

                service.updatePolicy(wrong.withStaticRoute(ProsodyS2sPeer.XMPP_DOMAIN,
                        PeerAddress.of("127.0.0.1", prosody.s2sPort())));
                XmppMessage second = new XmppMessage(first.from(), first.to(), Optional.of("isthmus-route-2"),
                        MessageType.CHAT, Optional.empty(), Optional.of("over the reloaded route"), Optional.empty(),
                        Optional.empty(), Optional.empty());
                service.send(second).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                JsonNode atAlice = alice.nextMessage(WAIT);
                assertThat(atAlice.path("body").asText()).as(prosody.diagnostics()).isEqualTo("over the reloaded route");
            }
        }
    }

    private void exchange(boolean secureAuth, PeerPolicy policy) throws Exception {
        Recording handler = new Recording();
        try (Federation federation = Federation.start(secureAuth)) {
            ProsodyS2sPeer prosody = federation.prosody();
            S2sSettings settings = federation.settings()
                    .withDefaultPolicy(policy)
                    .withStaticRoute(ProsodyS2sPeer.XMPP_DOMAIN, PeerAddress.of("127.0.0.1", prosody.s2sPort()));
            try (S2sService service = new S2sService(settings, handler);
                 XmppClientProcess alice = prosody.login("alice")) {
                service.start();

                alice.send("bob@" + ISTHMUS, "hello from prosody");
                XmppMessage received = handler.messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(received).as("message at Isthmus\n" + prosody.diagnostics()).isNotNull();
                assertThat(received.from().bare().toString()).isEqualTo(prosody.jid("alice"));
                assertThat(received.body()).contains("hello from prosody");

                XmppMessage reply = new XmppMessage(Jid.parse("bob@" + ISTHMUS).orThrow(),
                        Jid.parse(prosody.jid("alice")).orThrow(), Optional.of("isthmus-1"), MessageType.CHAT,
                        Optional.empty(), Optional.of("hello from isthmus"), Optional.empty(), Optional.empty(),
                        Optional.empty());
                service.send(reply).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                JsonNode atAlice = alice.nextMessage(WAIT);
                assertThat(atAlice.path("body").asText()).isEqualTo("hello from isthmus");
                assertThat(atAlice.path("from").asText()).startsWith("bob@" + ISTHMUS);
                if (reloadPolicy) {
                    service.updatePolicy(settings.withDeniedPeers(Set.of(ProsodyS2sPeer.XMPP_DOMAIN)));
                    assertThat(service.send(reply).handle((ok, e) -> e).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                            .as("a stanza to a denied peer fails").isNotNull();
                    alice.send("bob@" + ISTHMUS, "while denied");
                    assertThat(handler.messages.poll(3, TimeUnit.SECONDS)).as("nothing from a denied peer").isNull();
                    assertThat(java.nio.file.Files.readString(prosody.logFile())).contains("policy-violation");

                    service.updatePolicy(settings);
                    alice.send("bob@" + ISTHMUS, "allowed again");
                    XmppMessage again = handler.messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(again).as("message after the peer is allowed again\n" + prosody.diagnostics()).isNotNull();
                    assertThat(again.body()).contains("allowed again");
                }
            }
        }
    }

    /**
     * Issue 9, nothing lost at a graceful close (RFC 6120 §4.4): alice sends 400 messages to bob at
     * Isthmus as fast as her client can, and the service is closed once some have arrived. Every message
     * is either processed by the service (what Prosody wrote before it read our closing tag included) or
     * bounced back to alice with an error by Prosody; none is dropped unanswered.
     */
    @Test
    void messagesInFlightAtAGracefulCloseAreProcessedOrBouncedNeverDropped() throws Exception {
        int total = 400;
        Recording handler = new Recording();
        try (Federation federation = Federation.start(false)) {
            ProsodyS2sPeer prosody = federation.prosody();
            S2sSettings settings = federation.settings()
                    .withStaticRoute(ProsodyS2sPeer.XMPP_DOMAIN, PeerAddress.of("127.0.0.1", prosody.s2sPort()));
            S2sService service = new S2sService(settings, handler);
            try (XmppClientProcess alice = prosody.login("alice")) {
                service.start();
                alice.send("bob@" + ISTHMUS, "warm-up");
                assertThat(handler.messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(prosody.diagnostics())
                        .isNotNull();

                Set<String> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < total; i++) {
                        sent.add(alice.send("bob@" + ISTHMUS, "load " + i));
                    }
                });
                sender.start();
                Set<String> processed = new java.util.HashSet<>();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (processed.size() < 20 && System.nanoTime() < deadline) {
                    XmppMessage m = handler.messages.poll(100, TimeUnit.MILLISECONDS);
                    if (m != null) {
                        processed.add(m.id().orElse(""));
                    }
                }
                assertThat(processed).as("messages before the close").hasSizeGreaterThanOrEqualTo(20);
                service.close();
                sender.join(WAIT.toMillis());
                for (XmppMessage m = handler.messages.poll(); m != null; m = handler.messages.poll()) {
                    processed.add(m.id().orElse(""));
                }

                // What did not reach the service comes back to alice as an error from Prosody (bounded wait).
                Set<String> bounced = new java.util.HashSet<>();
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (processed.size() + bounced.size() < total && System.nanoTime() < deadline) {
                    alice.pollMessage(Duration.ofSeconds(1)).filter(e -> "error".equals(e.path("type").asText()))
                            .ifPresent(e -> bounced.add(e.path("id").asText()));
                }
                Set<String> unanswered = new java.util.TreeSet<>(sent);
                unanswered.removeAll(processed);
                unanswered.removeAll(bounced);
                System.out.printf("s2s graceful close under load: %d sent, %d processed, %d bounced, %d neither%n",
                        sent.size(), sent.stream().filter(processed::contains).count(),
                        sent.stream().filter(bounced::contains).count(), unanswered.size());
                assertThat(sent).hasSize(total);
                assertThat(unanswered).as("messages neither processed nor bounced%n%s", prosody.diagnostics())
                        .isEmpty();
            } finally {
                service.close();
            }
        }
    }

    /** A Prosody s2s peer for alice, and the settings of an Isthmus for {@link #ISTHMUS} with its certificate. */
    private record Federation(ProsodyS2sPeer prosody, S2sSettings settings) implements AutoCloseable {
        static Federation start(boolean secureAuth) {
            TestCertificates ca = TestCertificates.authority(Peers.workDirectory("s2s-certs"), "interop");
            TestCertificates.Issued prosodyCertificate = ca.issue(ProsodyS2sPeer.XMPP_DOMAIN);
            TestCertificates.Issued isthmusCertificate = ca.issue(ISTHMUS);
            ProsodyS2sPeer prosody = ProsodyS2sPeer.start(prosodyCertificate.chain(), prosodyCertificate.key(),
                    ca.caFile(), ISTHMUS, ISTHMUS_ADDRESS, secureAuth, Map.of("alice", "alice-pw"));
            return new Federation(prosody, S2sSettings.of(Set.of(ISTHMUS), ISTHMUS_ADDRESS, PeerAddress.DEFAULT_PORT,
                    Optional.of(new S2sTls(isthmusCertificate.chain(), isthmusCertificate.key(),
                            Optional.of(ca.caFile()))), "interop-dialback-secret-0123456789"));
        }

        @Override
        public void close() {
            prosody.close();
        }
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
