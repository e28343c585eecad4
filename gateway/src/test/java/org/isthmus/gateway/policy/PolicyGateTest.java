package org.isthmus.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.LimitSettings;
import org.isthmus.gateway.config.Limits;
import org.isthmus.gateway.config.Partner;
import org.isthmus.gateway.config.Rate;
import org.isthmus.gateway.config.Traffic;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.error.StanzaErrorType;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.mapping.presence.XmppPresence;
import org.isthmus.mapping.subscription.XmppSubscription;
import org.isthmus.mapping.subscription.XmppSubscriptionType;
import org.isthmus.sip.RegisterOutcome;
import org.isthmus.sip.SipHandler;
import org.isthmus.sip.SipRefusal;
import org.isthmus.sip.SipRegistration;
import org.isthmus.sip.SipSource;
import org.isthmus.xmpp.XmppHandler;

/** The gate's decisions, SIP and XMPP, and a policy replaced while it runs. */
class PolicyGateTest {

    private final List<Object> passed = new ArrayList<>();
    private final List<Object> replies = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final class Inner implements SipHandler, XmppHandler {
        @Override
        public CompletionStage<SipStatus> onMessage(SipPagerMessage message) {
            passed.add(message);
            return CompletableFuture.completedFuture(SipStatus.of(202));
        }

        @Override
        public CompletionStage<RegisterOutcome> onRegister(SipRegistration registration) {
            throw new AssertionError("not used");
        }

        @Override
        public void onMessage(XmppMessage message) {
            passed.add(message);
        }

        @Override
        public void onSubscription(XmppSubscription subscription) {
            passed.add(subscription);
        }

        @Override
        public void onLinkStateChanged(String domain, boolean up, String reason) {
        }
    }

    private PolicyGate gate(LimitSettings limits, List<Partner> partners) {
        Inner inner = new Inner();
        return new PolicyGate(inner, inner, new PolicyGate.XmppReplies() {
            @Override
            public void message(XmppMessage reply) {
                replies.add(reply);
            }

            @Override
            public void presence(XmppPresence reply) {
                replies.add(reply);
            }

            @Override
            public void subscription(XmppSubscription reply) {
                replies.add(reply);
            }
        }, limits, partners, new GatewayMeters(registry));
    }

    private static SipSource source(String method, String address, String transport, String fromHost) {
        try {
            return new SipSource(method, InetAddress.getByName(address), transport, List.of(),
                    Optional.of(fromHost), Optional.of("alice@xmpp.test"));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Limits limits(Traffic traffic, double perSecond, int burst) {
        return new Limits(Map.of(traffic, new Rate(perSecond, burst)));
    }

    private double refused(String scope, String kind) {
        var c = registry.find(GatewayMeters.POLICY_REFUSED).tag("scope", scope).tag("kind", kind).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aSubscribeStormFromOneSourceGets503WithRetryAfterOnceTheBurstIsSpent() {
        PolicyGate gate = gate(new LimitSettings(limits(Traffic.SUBSCRIPTIONS, 1, 5), Limits.NONE, Limits.NONE, 1000),
                List.of());
        int admitted = 0;
        List<SipRefusal> refusals = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Optional<SipRefusal> r = gate.admit(source("SUBSCRIBE", "192.0.2.7", "udp", "sip.test"));
            if (r.isEmpty()) {
                admitted++;
            } else {
                refusals.add(r.get());
            }
        }
        // The burst, and at most one more token refilled while the loop ran.
        assertThat(admitted).isBetween(5, 6);
        assertThat(refusals).allSatisfy(r -> {
            assertThat(r.status().code()).isEqualTo(503);
            assertThat(r.retryAfter()).hasValue(1);
        });
        // Another source, and MESSAGEs (not limited here), are not affected.
        assertThat(gate.admit(source("SUBSCRIBE", "192.0.2.8", "udp", "sip.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.7", "udp", "sip.test"))).isEmpty();
        assertThat(refused("sip_source", "subscriptions")).isEqualTo(refusals.size());
    }

    @Test
    void theXmppUserALimitProtectsIsKeyedByTheRecipientOfSipRequests() {
        PolicyGate gate = gate(new LimitSettings(Limits.NONE, Limits.NONE, limits(Traffic.MESSAGES, 1, 2), 1000),
                List.of());
        assertThat(gate.admit(source("MESSAGE", "192.0.2.1", "udp", "a.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.2", "udp", "b.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.3", "udp", "c.test")))
                .hasValueSatisfying(r -> assertThat(r.status().code()).isEqualTo(503));
        assertThat(refused("xmpp_user", "messages")).isEqualTo(1);
    }

    private static SipSource register(String address, String aor) {
        try {
            return new SipSource("REGISTER", InetAddress.getByName(address), "udp", List.of(), Optional.of("sip.test"),
                    Optional.of(aor));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void registerIsLimitedPerSourceAddressAndPerAddressOfRecord() {
        PolicyGate gate = gate(new LimitSettings(limits(Traffic.REGISTRATIONS, 1, 3), Limits.NONE,
                limits(Traffic.MESSAGES, 1, 1), limits(Traffic.REGISTRATIONS, 1, 2), 1000), List.of());
        // Per address of record: bob from three addresses, the third over his burst of 2.
        assertThat(gate.admit(register("192.0.2.1", "bob@sip.test"))).isEmpty();
        assertThat(gate.admit(register("192.0.2.2", "bob@sip.test"))).isEmpty();
        assertThat(gate.admit(register("192.0.2.3", "bob@sip.test"))).hasValueSatisfying(r -> {
            assertThat(r.status().code()).isEqualTo(503);
            assertThat(r.retryAfter()).hasValue(1);
        });
        // Per source: one address registering many AoRs, the fourth over its burst of 3 (one spent above).
        assertThat(gate.admit(register("192.0.2.1", "carol@sip.test"))).isEmpty();
        assertThat(gate.admit(register("192.0.2.1", "dave@sip.test"))).isEmpty();
        assertThat(gate.admit(register("192.0.2.1", "erin@sip.test")))
                .hasValueSatisfying(r -> assertThat(r.status().code()).isEqualTo(503));
        // The XMPP user limit (1 MESSAGE) is not spent by a REGISTER naming the same user@host.
        assertThat(gate.admit(register("192.0.2.9", "alice@xmpp.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.9", "udp", "sip.test"))).isEmpty();
        assertThat(refused("sip_aor", "registrations")).isEqualTo(1);
        assertThat(refused("sip_source", "registrations")).isEqualTo(1);
    }

    @Test
    void aRefusedSipPartnerGets403ByAddressOrFromDomainAndOneThatMustUseTlsGets403WithoutIt() {
        Partner refused = new Partner(Partner.Kind.SIP, "bad.example", List.of("198.51.100.0/24"), false,
                Optional.empty(), Set.of(), Limits.NONE);
        Partner tlsOnly = new Partner(Partner.Kind.SIP, "proxy.example", List.of("203.0.113.5"), true,
                Optional.of(true), Set.of("address"), Limits.NONE);
        PolicyGate gate = gate(LimitSettings.NONE, List.of(refused, tlsOnly));
        assertThat(gate.admit(source("MESSAGE", "198.51.100.9", "udp", "elsewhere.test")))
                .hasValueSatisfying(r -> {
                    assertThat(r.status().code()).isEqualTo(403);
                    assertThat(r.retryAfter()).isEmpty();
                });
        assertThat(gate.admit(source("REGISTER", "192.0.2.1", "udp", "bad.example")))
                .hasValueSatisfying(r -> assertThat(r.status().code()).isEqualTo(403));
        assertThat(gate.admit(source("MESSAGE", "203.0.113.5", "udp", "proxy.example")))
                .hasValueSatisfying(r -> assertThat(r.status().code()).isEqualTo(403));
        assertThat(gate.admit(source("MESSAGE", "203.0.113.5", "tls", "proxy.example"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.1", "udp", "good.example"))).isEmpty();
        assertThat(refused("partner", "other")).isEqualTo(3);
    }

    @Test
    void aPartnersLimitsReplaceTheDefaultsAndAllItsAddressesShareThem() {
        Partner proxy = new Partner(Partner.Kind.SIP, "proxy.example", List.of("203.0.113.0/29"), true,
                Optional.empty(), Set.of("address"), limits(Traffic.MESSAGES, 1, 3));
        PolicyGate gate = gate(new LimitSettings(limits(Traffic.MESSAGES, 1, 1), Limits.NONE, Limits.NONE, 1000),
                List.of(proxy));
        assertThat(gate.admit(source("MESSAGE", "203.0.113.1", "udp", "x.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "203.0.113.2", "udp", "x.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "203.0.113.3", "udp", "x.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "203.0.113.4", "udp", "x.test"))).isPresent();
        // Anyone else has the default burst of one.
        assertThat(gate.admit(source("MESSAGE", "192.0.2.1", "udp", "x.test"))).isEmpty();
        assertThat(gate.admit(source("MESSAGE", "192.0.2.1", "udp", "x.test"))).isPresent();
    }

    @Test
    void anXmppDomainOverItsRateGetsResourceConstraintOfTypeWaitAndErrorsPassUnchecked() {
        PolicyGate gate = gate(new LimitSettings(Limits.NONE, limits(Traffic.MESSAGES, 1, 2), Limits.NONE, 1000),
                List.of());
        for (int i = 0; i < 5; i++) {
            gate.onMessage(chat("romeo" + i + "@peer.example/r", "id" + i));
        }
        assertThat(passed).hasSize(2);
        assertThat(replies).hasSize(3).allSatisfy(r -> {
            XmppMessage reply = (XmppMessage) r;
            assertThat(reply.type()).isEqualTo(MessageType.ERROR);
            assertThat(reply.to().domain()).isEqualTo("peer.example");
            assertThat(reply.error().orElseThrow().condition()).isEqualTo(StanzaErrorCondition.RESOURCE_CONSTRAINT);
            assertThat(reply.error().orElseThrow().type()).isEqualTo(StanzaErrorType.WAIT);
        });
        XmppMessage error = chat("romeo@peer.example/r", "e1").errorReply(
                org.isthmus.mapping.error.StanzaError.of(StanzaErrorCondition.ITEM_NOT_FOUND, "gone"));
        gate.onMessage(new XmppMessage(Jid.parse("romeo@peer.example").orThrow(), error.to(), error.id(),
                MessageType.ERROR, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), error.error()));
        assertThat(passed).hasSize(3);
        assertThat(refused("xmpp_domain", "messages")).isEqualTo(3);
    }

    @Test
    void aRefusedXmppPartnerGetsPolicyViolationUntilAReloadAllowsIt() {
        Partner peer = new Partner(Partner.Kind.XMPP, "peer.example", List.of(), false, Optional.empty(), Set.of(),
                Limits.NONE);
        PolicyGate gate = gate(LimitSettings.NONE, List.of(peer));
        gate.onSubscription(XmppSubscription.of(Jid.parse("romeo@peer.example").orThrow(),
                Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow(), XmppSubscriptionType.PROBE, Optional.of("p1")));
        assertThat(passed).isEmpty();
        assertThat(replies).singleElement().satisfies(r -> {
            XmppSubscription reply = (XmppSubscription) r;
            assertThat(reply.type()).isEqualTo(XmppSubscriptionType.ERROR);
            assertThat(reply.error().orElseThrow().condition()).isEqualTo(StanzaErrorCondition.POLICY_VIOLATION);
        });
        gate.update(LimitSettings.NONE, List.of(new Partner(Partner.Kind.XMPP, "peer.example", List.of(), true,
                Optional.empty(), Set.of(), Limits.NONE)));
        gate.onMessage(chat("romeo@peer.example/r", "m1"));
        assertThat(passed).hasSize(1);
    }

    private static XmppMessage chat(String from, String id) {
        return new XmppMessage(Jid.parse(from).orThrow(), Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow(),
                Optional.of(id), MessageType.CHAT, Optional.empty(), Optional.of("hi"), Optional.empty(),
                Optional.empty(), Optional.empty());
    }
}
