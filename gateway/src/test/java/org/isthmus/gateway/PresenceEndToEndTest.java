package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.e2e.SmimeObjects;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * The presence mirror through a real gateway on loopback: a JAIN-SIP phone on one side, a test XMPP
 * server holding the gateway's component link on the other. Each test follows one of RFC 8048's
 * flows, with the phone playing the SIP user agent's part by hand.
 */
class PresenceEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CONTACT = "bob\\40routed.test@sip.xmpp.test";

    @TempDir
    Path data;

    private ComponentServer xmpp;
    private TestUserAgent phone;
    private Gateway gateway;
    private int sipPort;

    @BeforeEach
    void start() {
        xmpp = ComponentServer.start("sip.xmpp.test", "e2e-secret");
        phone = TestUserAgent.start("127.0.0.1");
        sipPort = TestUserAgent.freePort("127.0.0.1");
        gateway = startGateway();
    }

    private Gateway startGateway() {
        GatewayConfig config = GatewayConfig.parse("presence-e2e", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: e2e-secret,
                              reconnect: {initial: 100ms, max: 500ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                store: {type: embedded, data-dir: "%s"}
                presence: {coalesce: 300ms}
                """.formatted(xmpp.port(), sipPort, phone.port(), data.toString().replace("\\", "/")), name -> null);
        Gateway g = new Gateway(config);
        g.start();
        xmpp.awaitConnected(WAIT);
        // The server accepts the handshake a moment before the gateway reads that it did.
        EndToEnd.awaitXmppUp(g, true);
        return g;
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        phone.close();
        xmpp.close();
    }

    private static byte[] pidf(String entity, String basic, String note) {
        return ("<?xml version='1.0' encoding='UTF-8'?>"
                + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='" + entity + "'>"
                + "<tuple id='t1'><status><basic>" + basic + "</basic></status></tuple>"
                + "<note>" + note + "</note></presence>").getBytes(StandardCharsets.UTF_8);
    }

    /** The next stanza of a name, skipping others (e.g. pings); fails after {@link #WAIT}. */
    private XmlElement nextStanza(String name) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<XmlElement> e = xmpp.poll(Duration.ofMillis(200));
            if (e.isPresent() && e.get().name().equals(name)) {
                return e.get();
            }
        }
        throw new AssertionError("no <" + name + "/> within " + WAIT);
    }

    private XmlElement nextPresence(String type) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            XmlElement e = nextStanza("presence");
            if (e.attribute("type").orElse("available").equals(type)) {
                return e;
            }
        }
        throw new AssertionError("no presence of type " + type);
    }

    private static String header(Request r, String name) {
        return r.getHeader(name) == null ? null : r.getHeader(name).toString().substring(name.length() + 1).trim();
    }

    private Request awaitMethod(String method) {
        for (int i = 0; i < 10; i++) {
            Request r = phone.awaitRequest(WAIT).request();
            if (r.getMethod().equals(method)) {
                return r;
            }
        }
        throw new AssertionError("no " + method);
    }

    // ---- An XMPP user watches a SIP user (RFC 8048 §5.2) ---------------------------------------------

    @Test
    void anXmppUserSubscribesSeesPresenceAndUnsubscribes() {
        phone.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of(
                "Expires", header(r, "Expires") != null && header(r, "Expires").equals("0") ? "0" : "600",
                "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">"), Optional.of("bob-tag")));
        xmpp.send("<presence type='subscribe' id='s1' from='alice@xmpp.test' to='" + CONTACT + "'/>");

        Request subscribe = awaitMethod(Request.SUBSCRIBE);
        assertThat(header(subscribe, "Event")).isEqualTo("presence");
        assertThat(header(subscribe, "Accept")).contains("application/pidf+xml");
        assertThat(((FromHeader) subscribe.getHeader(FromHeader.NAME)).getAddress().getURI().toString())
                .isEqualTo("sip:alice@xmpp.test");
        assertThat(subscribe.getRequestURI().toString()).startsWith("sip:bob@routed.test");

        Response ok = phone.send(phone.notifyFor(subscribe, "bob-tag", 1, "active;expires=600",
                pidf("pres:bob@routed.test", "open", "In a meeting"), "udp"), WAIT);
        assertThat(ok.getStatusCode()).isEqualTo(200);

        XmlElement subscribed = nextPresence("subscribed");
        assertThat(subscribed.attribute("from")).contains(CONTACT);
        assertThat(subscribed.attribute("to")).contains("alice@xmpp.test");
        XmlElement available = nextPresence("available");
        assertThat(available.attribute("from").orElseThrow()).startsWith(CONTACT);
        assertThat(available.children().stream().filter(c -> c.name().equals("status")).map(XmlElement::text))
                .contains("In a meeting");

        // A probe from Alice's server refreshes the subscription in its dialog; the NOTIFY that follows
        // answers it (RFC 8048 §5.2.2, RFC 6665 §4.4.3).
        xmpp.send("<presence type='probe' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request refresh = awaitMethod(Request.SUBSCRIBE);
        assertThat(((ToHeader) refresh.getHeader(ToHeader.NAME)).getTag()).isEqualTo("bob-tag");
        assertThat(header(refresh, "Expires")).isNotEqualTo("0");

        // Unsubscribe: SUBSCRIBE Expires 0 in the dialog (RFC 8048 §5.2.3 F16-F17), then unsubscribed.
        xmpp.send("<presence type='unsubscribe' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request end = awaitMethod(Request.SUBSCRIBE);
        assertThat(header(end, "Expires")).isEqualTo("0");
        assertThat(((ToHeader) end.getHeader(ToHeader.NAME)).getTag()).isEqualTo("bob-tag");
        assertThat(((CallIdHeader) end.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) subscribe.getHeader(CallIdHeader.NAME)).getCallId());
        phone.send(phone.notifyFor(subscribe, "bob-tag", 2, "terminated;reason=timeout", null, "udp"), WAIT);
        XmlElement unsubscribed = nextPresence("unsubscribed");
        assertThat(unsubscribed.attribute("from")).contains(CONTACT);
        // RFC 6121 §3.3.3: she no longer sees bob, so his resource goes unavailable for her.
        XmlElement gone = nextPresence("unavailable");
        assertThat(gone.attribute("from").orElseThrow()).startsWith(CONTACT);
        assertThat(gone.attribute("to")).contains("alice@xmpp.test");
    }

    @Test
    void aSipNotifierThatRefusesEndsTheXmppRequestWithAnError() {
        phone.answerWith(r -> new TestUserAgent.Answer(403, "Forbidden", Map.of()));
        xmpp.send("<presence type='subscribe' id='s2' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        awaitMethod(Request.SUBSCRIBE);
        // RFC 8048 §5.2.2, RFC 7247 §7.2: 403 cancels the request; the user learns it.
        XmlElement error = nextPresence("error");
        assertThat(error.attribute("id")).contains("s2");
        nextPresence("unsubscribed");
    }

    /**
     * Privacy (RFC 2779 §5.1 access control): a probe from a JID without a subscription gets
     * {@code unsubscribed} from the contact's bare JID (RFC 6121 §4.3.2 rule 1), and no presence; the
     * SIP side is not asked for what the prober may not see.
     */
    @Test
    void aProbeFromAnUnsubscribedJidGetsUnsubscribedAndNoPresence() {
        phone.answerWith(200, "OK");
        xmpp.send("<presence type='probe' id='p1' from='mallory@xmpp.test' to='" + CONTACT + "'/>");
        XmlElement answer = nextStanza("presence");
        assertThat(answer.attribute("type")).contains("unsubscribed");
        assertThat(answer.attribute("from")).contains(CONTACT);
        assertThat(answer.attribute("to")).contains("mallory@xmpp.test");
        assertThat(phone.nothingReceived(Duration.ofSeconds(1))).as("no SUBSCRIBE for an unauthorized prober").isTrue();
        assertThat(xmpp.poll(Duration.ofMillis(500)).filter(e -> e.name().equals("presence"))).isEmpty();
    }

    /**
     * Privacy: a SIP watcher nobody authorized gets 200 and NOTIFY pending without a body (RFC 3856
     * §6.6), and nothing of the user's presence when it changes, nor from a fetch (RFC 6665 §4.4.3).
     */
    @Test
    void anUnauthorizedSipWatcherNeverSeesAPresenceDocument() {
        phone.answerWith(200, "OK");
        assertThat(phone.send(subscribeFromPhone(600), WAIT).getStatusCode()).isEqualTo(200);
        Request pending = awaitMethod(Request.NOTIFY);
        assertThat(header(pending, "Subscription-State")).startsWith("pending");
        assertThat(pending.getRawContent()).isNull();
        nextPresence("subscribe");

        // Her presence reaches the gateway (her server, or a stray stanza) before she approves anything.
        xmpp.send("<presence from='alice@xmpp.test/laptop' to='" + CONTACT + "'><status>secret plans</status>"
                + "</presence>");
        assertThat(phone.nothingReceived(Duration.ofSeconds(1))).isTrue();

        // A one-time fetch in a new dialog is answered without her document as well.
        assertThat(phone.send(subscribeFromPhone(0), WAIT).getStatusCode()).isEqualTo(200);
        Request fetched = awaitMethod(Request.NOTIFY);
        assertThat(header(fetched, "Subscription-State")).startsWith("terminated");
        assertThat(fetched.getRawContent()).isNull();
    }

    // ---- A SIP user watches an XMPP user (RFC 8048 §5.3) ---------------------------------------------

    private Request subscribeFromPhone(long expires) {
        Request r = phone.request(Request.SUBSCRIBE, "sip:alice@xmpp.test", "<sip:bob@routed.test>",
                "<sip:alice@xmpp.test>");
        phone.with(r, "Event", "presence");
        phone.with(r, "Accept", "application/pidf+xml");
        phone.with(r, "Expires", Long.toString(expires));
        phone.with(r, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        return phone.with(r, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
    }

    @Test
    void aSipUserSubscribesIsApprovedSeesChangesAndUnsubscribes() {
        phone.answerWith(200, "OK");
        Request subscribe = subscribeFromPhone(600);
        Response ok = phone.send(subscribe, WAIT);
        assertThat(ok.getStatusCode()).isEqualTo(200);

        Request pending = awaitMethod(Request.NOTIFY);
        assertThat(header(pending, "Subscription-State")).startsWith("pending");
        XmlElement ask = nextPresence("subscribe");
        assertThat(ask.attribute("from")).contains(CONTACT);
        assertThat(ask.attribute("to")).contains("alice@xmpp.test");

        xmpp.send("<presence type='subscribed' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request active = awaitMethod(Request.NOTIFY);
        assertThat(header(active, "Subscription-State")).startsWith("active");

        // Her server's bare-JID unavailable (no resource online) closes everything; then her laptop
        // comes online, and the document has the laptop's tuple alone, no leftover account-wide one.
        xmpp.send("<presence type='unavailable' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request offline = awaitMethod(Request.NOTIFY);
        assertThat(new String(offline.getRawContent(), StandardCharsets.UTF_8)).contains("<basic>closed</basic>");

        // The session view shows the pair, its state and its dialog.
        SessionTable.Subscription seen = gateway.sessions().subscriptions("alice@xmpp.test").get(0);
        assertThat(seen.contact()).isEqualTo("sip:bob@routed.test");
        assertThat(seen.inbound()).isEqualTo("GRANTED/ACTIVE");
        assertThat(seen.notifierCallId()).contains(((CallIdHeader) subscribe.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(gateway.sessions().links()).containsExactly(new SessionTable.Link("sip.xmpp.test", "component", true));

        xmpp.send("<presence from='alice@xmpp.test/laptop' to='" + CONTACT + "'><show>away</show>"
                + "<status>Out to lunch</status></presence>");
        Request lunch = awaitMethod(Request.NOTIFY);
        String body = new String(lunch.getRawContent(), StandardCharsets.UTF_8);
        assertThat(body).contains("Out to lunch").contains("<basic>open</basic>").doesNotContain("closed");
        long cseq = ((CSeqHeader) lunch.getHeader(CSeqHeader.NAME)).getSeqNumber();

        // Identical presence is not sent again (presence hygiene).
        xmpp.send("<presence from='alice@xmpp.test/laptop' to='" + CONTACT + "'><show>away</show>"
                + "<status>Out to lunch</status></presence>");
        assertThat(phone.nothingReceived(Duration.ofMillis(800))).isTrue();

        // A burst within the coalescing interval becomes one NOTIFY with the latest state.
        for (int i = 1; i <= 5; i++) {
            xmpp.send("<presence from='alice@xmpp.test/laptop' to='" + CONTACT + "'><status>busy " + i
                    + "</status></presence>");
        }
        Request latest = awaitMethod(Request.NOTIFY);
        String latestBody = new String(latest.getRawContent(), StandardCharsets.UTF_8);
        if (!latestBody.contains("busy 5")) {
            latest = awaitMethod(Request.NOTIFY);
            latestBody = new String(latest.getRawContent(), StandardCharsets.UTF_8);
        }
        assertThat(latestBody).contains("busy 5");
        assertThat(phone.nothingReceived(Duration.ofMillis(800))).isTrue();
        assertThat(((CSeqHeader) latest.getHeader(CSeqHeader.NAME)).getSeqNumber()).isGreaterThan(cseq);

        // Unsubscribe in the dialog: 200 and a final NOTIFY (RFC 8048 §5.3.3).
        Request end = phone.inDialog(subscribe, ok, Request.SUBSCRIBE, 2, "udp");
        phone.with(end, "Event", "presence");
        phone.with(end, "Expires", "0");
        assertThat(phone.send(end, WAIT).getStatusCode()).isEqualTo(200);
        Request last = awaitMethod(Request.NOTIFY);
        assertThat(header(last, "Subscription-State")).startsWith("terminated");
    }

    @Test
    void aDeniedSipWatcherGetsTerminatedRejected() {
        phone.answerWith(200, "OK");
        assertThat(phone.send(subscribeFromPhone(600), WAIT).getStatusCode()).isEqualTo(200);
        awaitMethod(Request.NOTIFY);
        nextPresence("subscribe");
        xmpp.send("<presence type='unsubscribed' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request end = awaitMethod(Request.NOTIFY);
        assertThat(header(end, "Subscription-State")).startsWith("terminated").contains("rejected");
    }

    @Test
    void aSubscribeForAnUnknownDomainIsRefused() {
        Request r = phone.request(Request.SUBSCRIBE, "sip:alice@elsewhere.test", "<sip:bob@routed.test>",
                "<sip:alice@elsewhere.test>");
        phone.with(r, "Event", "presence");
        phone.with(r, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        phone.with(r, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
        // RFC 7247 §7.1: item-not-found for a bare address is 604 Does Not Exist Anywhere.
        assertThat(phone.send(r, WAIT).getStatusCode()).isEqualTo(604);
    }

    // ---- Restart (issue 5: the next NOTIFY from the stored dialog; issue 6: nothing lost) --------------

    @Test
    void aRestartedGatewaySendsTheNextNotifyInTheStoredDialog() {
        phone.answerWith(200, "OK");
        Request subscribe = subscribeFromPhone(600);
        assertThat(phone.send(subscribe, WAIT).getStatusCode()).isEqualTo(200);
        Request pending = awaitMethod(Request.NOTIFY);
        nextPresence("subscribe");
        xmpp.send("<presence type='subscribed' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request active = awaitMethod(Request.NOTIFY);
        long cseq = ((CSeqHeader) active.getHeader(CSeqHeader.NAME)).getSeqNumber();

        gateway.close();
        gateway = startGateway();
        // On the way up the gateway probes the watched user again (RFC 6121 §4.3).
        XmlElement probe = nextPresence("probe");
        assertThat(probe.attribute("to")).contains("alice@xmpp.test");

        xmpp.send("<presence from='alice@xmpp.test/phone' to='" + CONTACT + "'><status>back</status></presence>");
        Request next = awaitMethod(Request.NOTIFY);
        assertThat(((CallIdHeader) next.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) pending.getHeader(CallIdHeader.NAME)).getCallId());
        assertThat(((FromHeader) next.getHeader(FromHeader.NAME)).getTag())
                .isEqualTo(((FromHeader) pending.getHeader(FromHeader.NAME)).getTag());
        assertThat(((CSeqHeader) next.getHeader(CSeqHeader.NAME)).getSeqNumber()).isEqualTo(cseq + 1);
        assertThat(new String(next.getRawContent(), StandardCharsets.UTF_8)).contains("back");
    }

    // ---- Secured presence (RFC 3923 §4): only authorized watchers --------------------------------

    /** A multipart/signed PIDF for {@code entity} (Bouncy Castle, EC key), as SIP carries it. */
    private static byte[] signedPidf(String entity) {
        SmimeObjects.Party ca = SmimeObjects.ca();
        return SmimeObjects.signed(SmimeObjects.pidf(entity, "secret plans"),
                SmimeObjects.user(entity, SmimeObjects.Keys.EC, ca));
    }

    /** The presence stanzas that arrive within {@code window} (at most 20). */
    private List<XmlElement> presencesWithin(Duration window) {
        List<XmlElement> seen = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        for (int i = 0; i < 20 && System.nanoTime() < deadline; i++) {
            xmpp.poll(Duration.ofMillis(100)).filter(e -> e.name().equals("presence")).ifPresent(seen::add);
        }
        return seen;
    }

    private static boolean hasE2e(XmlElement presence) {
        return presence.children().stream().anyMatch(c -> c.name().equals("e2e"));
    }

    /**
     * Privacy (RFC 2779 §5.1): a secured presence for a SIP watcher the user has not authorized is not
     * sent; its sender gets item-not-found with the object back (RFC 7248 §5.2, RFC 3923 §7).
     */
    @Test
    void aSecuredPresenceForAnUnauthorizedSipWatcherIsRefusedAndNeverSent() {
        phone.answerWith(200, "OK");
        assertThat(phone.send(subscribeFromPhone(600), WAIT).getStatusCode()).isEqualTo(200);
        assertThat(header(awaitMethod(Request.NOTIFY), "Subscription-State")).startsWith("pending");
        nextPresence("subscribe");

        String e2e = "Content-Type: " + SmimeObjects.signedType() + "\r\n\r\n"
                + new String(signedPidf("pres:alice@xmpp.test"), StandardCharsets.UTF_8);
        xmpp.send("<presence id='e1' from='alice@xmpp.test/laptop' to='" + CONTACT + "'>"
                + "<e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'><![CDATA[" + e2e + "]]></e2e></presence>");

        XmlElement error = nextPresence("error");
        assertThat(error.attribute("id")).contains("e1");
        assertThat(error.attribute("to")).contains("alice@xmpp.test/laptop");
        assertThat(error.toXml("jabber:component:accept")).contains("item-not-found");
        assertThat(hasE2e(error)).isTrue();
        assertThat(phone.nothingReceived(Duration.ofSeconds(1))).isTrue();
    }

    /**
     * Privacy: a secured NOTIFY in a subscription that is still pending reaches no one (it is answered
     * 200); once the subscription is active, the next one reaches the user in {@code <e2e/>}.
     */
    @Test
    void aSecuredNotifyReachesTheXmppUserOnlyOnceHerSubscriptionIsActive() throws Exception {
        phone.answerWith(r -> new TestUserAgent.Answer(200, "OK", Map.of("Expires", "600",
                "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">"), Optional.of("bob-tag")));
        xmpp.send("<presence type='subscribe' id='s3' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        Request subscribe = awaitMethod(Request.SUBSCRIBE);
        byte[] body = signedPidf("pres:bob@routed.test");
        javax.sip.header.ContentTypeHeader type = (javax.sip.header.ContentTypeHeader) javax.sip.SipFactory
                .getInstance().createHeaderFactory().createHeader("Content-Type", SmimeObjects.signedType());

        Request pending = phone.notifyFor(subscribe, "bob-tag", 1, "pending;expires=600", null, "udp");
        pending.setContent(body, type);
        assertThat(phone.send(pending, WAIT).getStatusCode()).isEqualTo(200);
        assertThat(presencesWithin(Duration.ofSeconds(1))).noneMatch(PresenceEndToEndTest::hasE2e);

        Request active = phone.notifyFor(subscribe, "bob-tag", 2, "active;expires=600", null, "udp");
        active.setContent(body, type);
        assertThat(phone.send(active, WAIT).getStatusCode()).isEqualTo(200);
        nextPresence("subscribed");
        XmlElement secured = nextPresence("available");
        assertThat(secured.attribute("from")).contains(CONTACT);
        assertThat(secured.attribute("to")).contains("alice@xmpp.test");
        assertThat(secured.children().stream().filter(c -> c.name().equals("e2e")).map(XmlElement::text))
                .singleElement().asString().startsWith("Content-Type: multipart/signed").contains("pres:bob@routed.test");
    }
}
