package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.xmpp.testing.TestCertificates;

/**
 * Federation mode end to end (DESIGN.md, RFC 7247 §5–§6): Isthmus is the XMPP server of the SIP domain
 * sip.test and federates with a real Prosody 0.12 over server-to-server streams, so the Prosody user
 * alice@xmpp.test writes to bob@sip.test (no escaping, no component) and a SIPp phone registered as
 * sip:bob@sip.test with Isthmus answers. Both ways, over TLS with SASL EXTERNAL and over TLS with
 * dialback, with Prosody and with ejabberd. Prosody finds sip.test through its own hosts file at
 * 127.0.0.2, where Isthmus listens on the standard s2s port; nothing is looked up in DNS.
 */
@Tag("interop")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FederationInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SIP_DOMAIN = "sip.test";
    private static final String ISTHMUS_ADDRESS = "127.0.0.2";
    private static final String TEXT = "Grüße über s2s, 日本語 😀";

    @ParameterizedTest(name = "TLS + {0}")
    @CsvSource({"external, true", "dialback, false"})
    void messagesCrossBetweenAProsodyUserAndASipPhoneOverServerToServer(String auth, boolean prosodySecureAuth)
            throws Exception {
        Peers.assumeInstalled("prosody", "sipp");
        Peers.assumePythonModule("slixmpp");
        Path certificates = Peers.workDirectory("federation-certs-" + auth);
        TestCertificates ca = TestCertificates.authority(certificates, "federation");
        TestCertificates.Issued prosodyCertificate = ca.issue(ProsodyS2sPeer.XMPP_DOMAIN);
        // With dialback the peer's certificate need not prove the domain: Isthmus's names another one.
        TestCertificates.Issued isthmusCertificate = ca.issue(auth.equals("external") ? SIP_DOMAIN : "unrelated.test");
        try (ProsodyS2sPeer prosody = ProsodyS2sPeer.start(prosodyCertificate.chain(), prosodyCertificate.key(),
                ca.caFile(), SIP_DOMAIN, ISTHMUS_ADDRESS, prosodySecureAuth, Map.of("alice", "alice-pw"))) {
            crossBothWays(prosody.login("alice"), ProsodyS2sPeer.XMPP_DOMAIN, ISTHMUS_ADDRESS, 5269,
                    isthmusCertificate.chain(), isthmusCertificate.key(), ca.caFile(), auth, prosody.s2sPort(),
                    prosody::diagnostics);
        }
    }

    /**
     * ejabberd 23.01 as the XMPP server: the same exchange through the gateway. ejabberd finds sip.test by
     * an SRV record its test resolver holds (target 127.0.0.1 and a free port), so nothing is looked up in
     * DNS. Its certificates carry DNS names only (ejabberd 23.01 crashes on an XmppAddr name); for dialback
     * each side's certificate comes from a CA only that side trusts.
     */
    @ParameterizedTest(name = "TLS + {0}")
    @CsvSource({"external", "dialback"})
    void messagesCrossBetweenAnEjabberdUserAndASipPhoneOverServerToServer(String auth) throws Exception {
        Peers.assumeInstalled("sipp");
        Peers.assumePythonModule("slixmpp");
        org.isthmus.sip.testing.TestCertificates ejabberdCa = org.isthmus.sip.testing.TestCertificates.create();
        org.isthmus.sip.testing.TestCertificates isthmusCa = auth.equals("external") ? ejabberdCa
                : org.isthmus.sip.testing.TestCertificates.create();
        org.isthmus.sip.testing.TestCertificates.Issued ejabberdCertificate =
                ejabberdCa.issue("ejabberd", EjabberdServer.XMPP_DOMAIN);
        org.isthmus.sip.testing.TestCertificates.Issued isthmusCertificate = isthmusCa.issue("isthmus", SIP_DOMAIN);
        int s2sPort = Peers.freePort();
        try (EjabberdServer ejabberd = EjabberdServer.start(ejabberdCertificate.chain(), ejabberdCertificate.key(),
                ejabberdCa.caFile(), SIP_DOMAIN, "127.0.0.1", s2sPort, Map.of("alice", "alice-pw"))) {
            crossBothWays(ejabberd.login("alice"), EjabberdServer.XMPP_DOMAIN, "127.0.0.1", s2sPort,
                    isthmusCertificate.chain(), isthmusCertificate.key(), isthmusCa.caFile(), auth, ejabberd.s2sPort(),
                    ejabberd::diagnostics);
        }
    }

    /**
     * Starts Isthmus serving sip.test over s2s towards {@code xmppDomain}, registers a SIPp phone as bob,
     * and sends one message each way between it and the XMPP user {@code alice}, already logged in.
     */
    private static void crossBothWays(XmppClientProcess aliceLogin, String xmppDomain, String listenAddress,
                                      int listenPort, Path chain, Path key, Path trust, String auth, int peerS2sPort,
                                      java.util.function.Supplier<String> peerDiagnostics) throws Exception {
        int sipPort = Peers.freePort();
        GatewayConfig config = GatewayConfig.parse("federation", """
                xmpp:
                  domains: [%s]
                  s2s:
                    gateway-domain: gw.%s
                    listen: {address: %s, port: %d}
                    tls: {chain: "%s", key: "%s", trust: "%s"}
                    dialback-secret: federation-interop-secret-0123
                    auth: [%s]
                    dns: false
                    peers:
                      - {domain: %s, host: 127.0.0.1, port: %d}
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  federated-domains: [%s]
                  registrar: {domains: [%s]}
                """.formatted(xmppDomain, SIP_DOMAIN, listenAddress, listenPort, chain, key, trust, auth, xmppDomain,
                peerS2sPort, sipPort, SIP_DOMAIN, SIP_DOMAIN), name -> null);
        try (Gateway gateway = new Gateway(config);
             XmppClientProcess alice = aliceLogin;
             Sipp.Running phone = Sipp.scenario("uas_message.xml").start()) {
            gateway.start();
            Sipp.Result registered = Sipp.scenario("uac_register.xml").withRemote(sipPort)
                    .withKey("aor", "sip:bob@" + SIP_DOMAIN).withKey("registrar", "sip:" + SIP_DOMAIN)
                    .withKey("contact", phone.contact("bob")).withKey("expires", "300").run();
            assertThat(registered.finalStatus()).as(registered.diagnostics()).hasValue(200);

            // XMPP -> SIP: alice writes to bob at the federated SIP domain, as to any XMPP user.
            alice.send("bob@" + SIP_DOMAIN, TEXT);
            Sipp.Result received = phone.await(WAIT);
            assertThat(received.succeeded()).as(received.diagnostics() + "\n" + peerDiagnostics.get()).isTrue();
            Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
            assertThat(message.header("From")).hasValueSatisfying(from ->
                    assertThat(from).startsWith("<sip:alice@" + xmppDomain + ";gr="));
            assertThat(message.body()).isEqualTo(TEXT);

            // SIP -> XMPP: bob answers; alice sees bob@sip.test, not an escaped component address.
            Sipp.Result sent = Sipp.scenario("uac_message.xml").withRemote(sipPort)
                    .withKey("from_uri", "sip:bob@" + SIP_DOMAIN)
                    .withKey("to_uri", "sip:alice@" + xmppDomain)
                    .withInjection(TEXT).run();
            JsonNode atAlice = alice.nextMessage(WAIT);
            assertThat(atAlice.path("from").asText()).isEqualTo("bob@" + SIP_DOMAIN);
            assertThat(atAlice.path("body").asText()).isEqualTo(TEXT + "\n");
            assertThat(sent.finalStatus()).as(sent.diagnostics()).hasValue(202);
        }
    }
}
