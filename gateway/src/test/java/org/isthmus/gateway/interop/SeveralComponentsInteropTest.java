package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;

/**
 * Several components against a real server: one Prosody hosts two VirtualHosts, a.test and b.test,
 * each with a Component of its own (sip.a.test, sip.b.test, each with its own secret), and Isthmus
 * attaches to both. alice@a.test and carol@b.test, logged in with slixmpp, exchange messages with a
 * SIPp phone, bob@sip.test, who appears to each under the component of her virtual host (XEP-0114 §3).
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SeveralComponentsInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ProsodyServer.Host HOST_A = new ProsodyServer.Host("a.test", "sip.a.test", "secret-a-interop");
    private static final ProsodyServer.Host HOST_B = new ProsodyServer.Host("b.test", "sip.b.test", "secret-b-interop");

    private ProsodyServer prosody;
    private Gateway gateway;
    private int sipPort;
    private XmppClientProcess alice;
    private XmppClientProcess carol;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start(List.of(HOST_A, HOST_B),
                Map.of("alice@a.test", "alice-pw", "carol@b.test", "carol-pw"));
        sipPort = Peers.freePort();
        StringBuilder components = new StringBuilder();
        for (ProsodyServer.Host host : prosody.hosts()) {
            components.append("""
                        - {host: 127.0.0.1, port: %d, domain: %s, secret: %s, domains: [%s],
                           reconnect: {initial: 200ms, max: 2s}}
                    """.formatted(prosody.componentPort(), host.componentDomain(), host.componentSecret(),
                    host.domain()));
        }
        GatewayConfig config = GatewayConfig.parse("interop", """
                xmpp:
                  components:
                %ssip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                """.formatted(components, sipPort), name -> null);
        gateway = new Gateway(config);
        gateway.start();
        ProsodyGateway.awaitLink(gateway, prosody, true, WAIT);
        alice = prosody.login("alice@a.test");
        carol = prosody.login("carol@b.test");
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {alice, carol, gateway, prosody}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // Closing the rest matters more; each logs its own trouble.
                }
            }
        }
    }

    private Sipp.Result sendFromSip(String to, String body) {
        return Sipp.scenario("uac_message.xml")
                .withRemote(sipPort)
                .withKey("from_uri", "sip:bob@sip.test")
                .withKey("to_uri", to)
                .withInjection(body)
                .run();
    }

    private void register(Sipp.Running phone) {
        Sipp.Result registered = Sipp.scenario("uac_register.xml")
                .withRemote(sipPort)
                .withKey("aor", "sip:bob@sip.test")
                .withKey("registrar", "sip:sip.test")
                .withKey("contact", phone.contact("bob"))
                .withKey("expires", "300")
                .run();
        assertThat(registered.succeeded()).as(registered.diagnostics()).isTrue();
        assertThat(registered.finalStatus()).hasValue(200);
    }

    @Test
    void theSipPhoneReachesEachVirtualHostsUserFromThatHostsComponent() {
        Sipp.Result toAlice = sendFromSip("sip:alice@a.test", "hello alice");
        JsonNode atAlice = alice.nextMessage(WAIT);
        assertThat(atAlice.path("from").asText()).isEqualTo("bob\\40sip.test@sip.a.test");
        assertThat(atAlice.path("body").asText()).isEqualTo("hello alice\n");
        assertThat(toAlice.finalStatus()).as(toAlice.diagnostics()).hasValue(202);

        Sipp.Result toCarol = sendFromSip("sip:carol@b.test", "hello carol");
        JsonNode atCarol = carol.nextMessage(WAIT);
        assertThat(atCarol.path("from").asText()).isEqualTo("bob\\40sip.test@sip.b.test");
        assertThat(atCarol.path("body").asText()).isEqualTo("hello carol\n");
        assertThat(toCarol.finalStatus()).as(toCarol.diagnostics()).hasValue(202);
    }

    @Test
    void eachUserRepliesToThePhoneThroughHerOwnComponent() {
        for (String[] user : new String[][] {
            {"alice@a.test", "bob\\40sip.test@sip.a.test", "reply from a"},
            {"carol@b.test", "bob\\40sip.test@sip.b.test", "reply from b"},
        }) {
            XmppClientProcess client = user[0].startsWith("alice") ? alice : carol;
            try (Sipp.Running phone = Sipp.scenario("uas_message.xml").start()) {
                register(phone);
                client.send(user[1], user[2]);

                Sipp.Result received = phone.await(WAIT);
                assertThat(received.succeeded()).as(received.diagnostics()).isTrue();
                Sipp.TracedMessage message = received.receivedRequest("MESSAGE").orElseThrow();
                assertThat(message.header("From")).hasValueSatisfying(from ->
                        assertThat(from).startsWith("<sip:" + user[0] + ";gr="));
                assertThat(message.header("To")).hasValueSatisfying(to -> assertThat(to).contains("sip:bob@sip.test"));
                assertThat(message.body()).isEqualTo(user[2]);
            }
        }
    }

    /** Errors cross too: each comes back to the sender through the component it went out by. */
    @Test
    void errorsComeBackThroughTheComponentOfTheVirtualHost() {
        String id = carol.send("dave\\40sip.test@sip.b.test", "hello dave");
        JsonNode error = carol.nextMessage(WAIT);
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("id").asText()).isEqualTo(id);
        assertThat(error.path("from").asText()).isEqualTo("dave\\40sip.test@sip.b.test");
        assertThat(error.path("error").path("condition").asText()).isEqualTo("recipient-unavailable");

        // Prosody answers service-unavailable for a user b.test does not have (RFC 6121 §8.5.2.2.1),
        // to bob's sip.b.test JID, through component B; RFC 7247 §7.1 note (5) makes that 403.
        Sipp.Result sent = sendFromSip("sip:nobody@b.test", "is anyone there?");
        assertThat(sent.succeeded()).as(sent.diagnostics()).isTrue();
        assertThat(sent.finalStatus()).hasValue(403);
    }
}
