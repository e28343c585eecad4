package org.isthmus.mapping.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The subscription machine: the RFC flows of RFC 8048 §5 and §7 as event scripts, the odd cases the
 * RFCs warn about, and the full transition table (src/test/resources/subscription).
 */
class SubscriptionMachineTest {

    /** Runs a script of events from a state; returns the last state and every action, in text form. */
    private static final class Run {
        MirrorState state;
        final List<String> actions = new ArrayList<>();

        Run(MirrorState state) {
            this.state = state;
        }

        /** Feeds one event; returns the actions it produced in text form. */
        String feed(String event) {
            Transition t = SubscriptionMachine.next(state, MachineNotation.event(event));
            state = t.state();
            String a = MachineNotation.actions(t);
            actions.add(a);
            return a;
        }
    }

    private static MirrorState state(String outbound, String inbound) {
        return MachineNotation.withInbound(MachineNotation.withOutbound(MirrorState.NONE, outbound), inbound);
    }

    // The transition table.

    @ParameterizedTest(name = "{0} {1} + {2} -> {3}: {4}")
    @CsvFileSource(resources = "/subscription/machine-transitions.csv")
    void transitionTable(String half, String from, String event, String to, String actions) {
        MirrorState start = half.equals("out") ? state(from, "NONE/IDLE") : state("NONE/IDLE", from);
        Transition t = SubscriptionMachine.next(start, MachineNotation.event(event));
        assertThat(half.equals("out") ? MachineNotation.outbound(t.state()) : MachineNotation.inbound(t.state())).isEqualTo(to);
        assertThat(MachineNotation.actions(t)).isEqualTo(actions);
    }

    /** Every legal state of each half appears in the table with every event sample. */
    @Test
    void tableCoversEveryStateAndEvent() throws Exception {
        List<String> rows;
        try (var in = getClass().getResourceAsStream("/subscription/machine-transitions.csv")) {
            rows = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        }
        int outStates = 0;
        for (AuthorizationState a : AuthorizationState.values()) {
            outStates += MirrorState.subscriberDialogs(a).size();
        }
        int inStates = 0;
        for (AuthorizationState b : AuthorizationState.values()) {
            inStates += MirrorState.notifierDialogs(b).size();
        }
        assertThat(outStates).isEqualTo(14);
        assertThat(inStates).isEqualTo(5);
        assertThat(rows).hasSize(outStates * MachineNotation.OUTBOUND_EVENTS.length + inStates * MachineNotation.INBOUND_EVENTS.length);
        for (AuthorizationState a : AuthorizationState.values()) {
            for (SubscriberDialog d : MirrorState.subscriberDialogs(a)) {
                for (String e : MachineNotation.OUTBOUND_EVENTS) {
                    String key = "out, " + a + "/" + d + ", " + e + ",";
                    assertThat(rows).as(key).anyMatch(r -> r.startsWith(key));
                }
            }
        }
        for (AuthorizationState b : AuthorizationState.values()) {
            for (NotifierDialog n : MirrorState.notifierDialogs(b)) {
                for (String e : MachineNotation.INBOUND_EVENTS) {
                    String key = "in, " + b + "/" + n + ", " + e + ",";
                    assertThat(rows).as(key).anyMatch(r -> r.startsWith(key));
                }
            }
        }
    }

    /**
     * RFC 6121 Appendix A.1 composes the two directions; so does the machine. For all 70 states and
     * every event, the half an event does not concern is unchanged and the actions do not depend on it.
     */
    @Test
    void halvesAreIndependent() {
        for (AuthorizationState a : AuthorizationState.values()) {
            for (SubscriberDialog d : MirrorState.subscriberDialogs(a)) {
                for (AuthorizationState b : AuthorizationState.values()) {
                    for (NotifierDialog n : MirrorState.notifierDialogs(b)) {
                        MirrorState s = new MirrorState(a, d, b, n);
                        for (String e : MachineNotation.OUTBOUND_EVENTS) {
                            Transition both = SubscriptionMachine.next(s, MachineNotation.event(e));
                            Transition alone = SubscriptionMachine.next(MirrorState.NONE.withOutbound(a, d), MachineNotation.event(e));
                            assertThat(both.state()).isEqualTo(alone.state().withInbound(b, n));
                            assertThat(both.actions()).isEqualTo(alone.actions());
                        }
                        for (String e : MachineNotation.INBOUND_EVENTS) {
                            Transition both = SubscriptionMachine.next(s, MachineNotation.event(e));
                            Transition alone = SubscriptionMachine.next(MirrorState.NONE.withInbound(b, n), MachineNotation.event(e));
                            assertThat(both.state()).isEqualTo(alone.state().withOutbound(a, d));
                            assertThat(both.actions()).isEqualTo(alone.actions());
                        }
                    }
                }
            }
        }
    }

    /** No transition answers a SIP request twice, and each NOTIFY the gateway receives gets exactly one answer. */
    @Test
    void everySipRequestGetsOneAnswer() {
        for (AuthorizationState a : AuthorizationState.values()) {
            for (SubscriberDialog d : MirrorState.subscriberDialogs(a)) {
                for (String e : MachineNotation.OUTBOUND_EVENTS) {
                    Transition t = SubscriptionMachine.next(MirrorState.NONE.withOutbound(a, d), MachineNotation.event(e));
                    long answers = t.actions().stream().filter(x -> x instanceof MirrorAction.RespondSip).count();
                    assertThat(answers).as("%s/%s + %s", a, d, e).isEqualTo(e.startsWith("notify:") ? 1 : 0);
                }
            }
        }
        for (AuthorizationState b : AuthorizationState.values()) {
            for (NotifierDialog n : MirrorState.notifierDialogs(b)) {
                for (String e : MachineNotation.INBOUND_EVENTS) {
                    Transition t = SubscriptionMachine.next(MirrorState.NONE.withInbound(b, n), MachineNotation.event(e));
                    long answers = t.actions().stream().filter(x -> x instanceof MirrorAction.RespondSip).count();
                    assertThat(answers).as("%s/%s + %s", b, n, e).isEqualTo(e.startsWith("sip:") ? 1 : 0);
                }
            }
        }
    }

    // RFC 8048 §5.2: an XMPP user subscribes to a SIP contact.

    /** RFC 8048 §5.2.1 F1–F15: subscribe, SUBSCRIBE, 200, NOTIFY pending (nothing to XMPP), NOTIFY active. */
    @Test
    void rfc8048_s5_2_1_flow() {
        Run r = new Run(MirrorState.NONE);
        assertThat(r.feed("xmpp:subscribe")).isEqualTo("SUBSCRIBE:initial");                      // F1 -> F2
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.NONE_PENDING_OUT);
        assertThat(r.feed("2xx:3600")).isEqualTo("refresh@3600");                                 // F5 (Example 3)
        assertThat(r.feed("notify:pending;expires=3600")).isEqualTo("RESPOND:200 refresh@3600");  // F7 -> F8: no presence
        assertThat(r.state.subscriber()).isEqualTo(SubscriberDialog.PENDING);
        assertThat(r.feed("notify:active;expires=499+body"))                                      // F11 (Example 4)
                .isEqualTo("RESPOND:200 xmpp:subscribed forward refresh@499");                     // F12, F14 (Ex. 5), F15 (Ex. 6)
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.TO);
        assertThat(r.state.subscriber()).isEqualTo(SubscriberDialog.ACTIVE);
    }

    /** RFC 8048 §5.2.1: "the SIP User Agent SHOULD immediately send" NOTIFY active; without a body no presence is invented. */
    @Test
    void rfc8048_s5_2_1_activeAtOnceWithoutBody() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        r.feed("2xx:3600");
        assertThat(r.feed("notify:active")).isEqualTo("RESPOND:200 xmpp:subscribed");
    }

    /** RFC 6665 §4.1.2.4: a NOTIFY may come before the 2xx; the late 2xx only sets the refresh. */
    @Test
    void rfc6665_s4_1_2_4_notifyBefore2xx() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        assertThat(r.feed("notify:active;expires=3600+body")).isEqualTo("RESPOND:200 xmpp:subscribed forward refresh@3600");
        assertThat(r.feed("2xx:3600")).isEqualTo("refresh@3600");
        assertThat(r.state).isEqualTo(new MirrorState(AuthorizationState.GRANTED, SubscriberDialog.ACTIVE,
                AuthorizationState.NONE, NotifierDialog.IDLE));
    }

    /** Active before pending: a later pending keeps the authorization and sends nothing to XMPP. */
    @Test
    void rfc6665_s4_1_3_activeThenPending() {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        assertThat(r.feed("notify:pending;expires=60")).isEqualTo("RESPOND:200 refresh@60");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.TO);
        assertThat(r.feed("notify:active;expires=60+body")).isEqualTo("RESPOND:200 forward refresh@60");
    }

    /** RFC 6121 Table 2: subscribe while pending changes nothing and sends nothing twice. */
    @Test
    void rfc6121_a_2_1_subscribeWhilePending() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        assertThat(r.feed("xmpp:subscribe")).isEqualTo("-");
        r.feed("notify:pending");
        assertThat(r.feed("xmpp:subscribe")).isEqualTo("-");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.NONE_PENDING_OUT);
    }

    /** RFC 6121 §3.1.3 rule 2: subscribe when already subscribed is answered with subscribed at once. */
    @Test
    void rfc6121_s3_1_3_subscribeWhenSubscribed() {
        assertThat(new Run(state("GRANTED/ACTIVE", "NONE/IDLE")).feed("xmpp:subscribe")).isEqualTo("xmpp:subscribed");
    }

    /** RFC 8048 §5.2.2: refresh ahead of expiry, after probing the user (§8.1); 403, 489, 603 cancel; 423, 481 do not. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "fail:403, NONE/IDLE, xmpp:unsubscribed",
        "fail:489, NONE/IDLE, xmpp:unsubscribed",
        "fail:603, NONE/IDLE, xmpp:unsubscribed",
        "fail:423/7200, GRANTED/ACTIVE, SUBSCRIBE:refresh/7200",
        "fail:481, GRANTED/SUBSCRIBING, SUBSCRIBE:initial",
        "fail:500, GRANTED/ACTIVE, -",
        "fail:480/30, GRANTED/RETRY_WAIT, xmpp:unavailable retry@30",
    })
    void rfc8048_s5_2_2_refresh(String response, String state, String actions) {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        assertThat(r.feed("timer:refresh")).isEqualTo("probe-user SUBSCRIBE:refresh");
        assertThat(r.feed(response)).isEqualTo(actions);
        assertThat(MachineNotation.outbound(r.state)).isEqualTo(state);
    }

    /** RFC 8048 §5.2.2: the user's initial presence (a probe) renews a lapsed dialog. */
    @Test
    void rfc8048_s5_2_2_probeRenewsDialog() {
        Run r = new Run(state("GRANTED/IDLE", "NONE/IDLE"));
        assertThat(r.feed("xmpp:probe")).isEqualTo("SUBSCRIBE:initial");
        assertThat(r.state.subscriber()).isEqualTo(SubscriberDialog.SUBSCRIBING);
    }

    /** RFC 8048 §5.2.3 F16–F25: unsubscribe, SUBSCRIBE Expires 0, 200 then unsubscribed, final NOTIFY answered. */
    @Test
    void rfc8048_s5_2_3_flow() {
        Run r = new Run(state("GRANTED/ACTIVE", "GRANTED/ACTIVE"));
        assertThat(r.feed("xmpp:unsubscribe")).isEqualTo("SUBSCRIBE:unsubscribe");       // F16 (Ex. 7) -> F17 (Ex. 8)
        assertThat(r.feed("2xx:0")).isEqualTo("xmpp:unsubscribed");                      // F20 -> F21 (Ex. 9)
        assertThat(r.feed("notify:terminated")).isEqualTo("RESPOND:200");                // Example 10
        // The note in §5.2.3: the inbound authorization is unchanged.
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.FROM);
        assertThat(r.state.notifier()).isEqualTo(NotifierDialog.ACTIVE);
    }

    /** RFC 8048 §5.2.3 with the final NOTIFY first: it ends the unsubscribe just the same. */
    @Test
    void rfc8048_s5_2_3_finalNotifyBefore200() {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        r.feed("xmpp:unsubscribe");
        assertThat(r.feed("notify:terminated;reason=timeout")).isEqualTo("RESPOND:200 xmpp:unsubscribed");
        assertThat(r.feed("2xx:0")).isEqualTo("-");
        assertThat(r.state.isNone()).isTrue();
    }

    /** Unsubscribe racing the first NOTIFY: no presence leaks to XMPP (RFC 3922 §6.4), and Expires 0 follows. */
    @Test
    void rfc3922_s6_4_unsubscribeRacingNotify() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        assertThat(r.feed("xmpp:unsubscribe")).isEqualTo("-");
        assertThat(r.state.subscriber()).isEqualTo(SubscriberDialog.CANCELLING);
        assertThat(r.feed("notify:active;expires=60+body")).isEqualTo("RESPOND:200 SUBSCRIBE:unsubscribe");
        assertThat(r.feed("notify:active;expires=60+body")).isEqualTo("RESPOND:200");
        assertThat(r.feed("2xx:0")).isEqualTo("xmpp:unsubscribed");
        assertThat(r.state.isNone()).isTrue();
    }

    /** Unsubscribe, then subscribe again before the first SUBSCRIBE was answered: the SUBSCRIBE in flight serves. */
    @Test
    void resubscribeWhileCancelling() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        r.feed("xmpp:unsubscribe");
        assertThat(r.feed("xmpp:subscribe")).isEqualTo("-");
        assertThat(r.feed("notify:active;expires=60")).isEqualTo("RESPOND:200 xmpp:subscribed refresh@60");
    }

    /** RFC 6665 §4.1.3: terminated with retry-after waits that long, then subscribes again in a new dialog. */
    @Test
    void rfc6665_s4_1_3_terminatedWithRetryAfter() {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        assertThat(r.feed("notify:terminated;reason=probation;retry-after=60")).isEqualTo("RESPOND:200 xmpp:unavailable retry@60");
        assertThat(r.feed("xmpp:probe")).isEqualTo("xmpp:unavailable");
        assertThat(r.feed("timer:retry")).isEqualTo("SUBSCRIBE:initial");
        assertThat(r.feed("notify:active;expires=60+body")).isEqualTo("RESPOND:200 forward refresh@60");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.TO);
    }

    /** RFC 6665 §4.1.3 and §4.4.2: deactivated re-subscribes at once; as the first NOTIFY, after a back-off (RFC 8048 §8.1). */
    @Test
    void rfc6665_s4_4_2_deactivated() {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        assertThat(r.feed("notify:terminated;reason=deactivated")).isEqualTo("RESPOND:200 SUBSCRIBE:initial");
        assertThat(r.feed("notify:terminated;reason=deactivated")).isEqualTo("RESPOND:200 xmpp:unavailable retry@backoff");
    }

    /** RFC 6665 §4.1.3 giveup while pending: the XMPP request stays pending, nothing to XMPP. */
    @Test
    void rfc6665_s4_1_3_giveupWhilePending() {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        r.feed("notify:pending");
        assertThat(r.feed("notify:terminated;reason=giveup;retry-after=600")).isEqualTo("RESPOND:200 retry@600");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.NONE_PENDING_OUT);
    }

    /** RFC 6665 §4.1.3 invariant: keep the authorization, do not re-subscribe, answer probes from the cache. */
    @Test
    void rfc6665_s4_1_3_invariant() {
        Run r = new Run(state("GRANTED/ACTIVE", "NONE/IDLE"));
        assertThat(r.feed("notify:terminated;reason=invariant;retry-after=31536000+body")).isEqualTo("RESPOND:200 forward");
        assertThat(r.feed("xmpp:probe")).isEqualTo("cached");
        assertThat(r.feed("timer:refresh")).isEqualTo("-");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.TO);
    }

    /** RFC 3922 §6.1 exceptions on the initial SUBSCRIBE: the RFC 7247 §7.2 error, then unsubscribed. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"fail:403, forbidden", "fail:404, item-not-found", "fail:489, policy-violation", "fail:604, item-not-found"})
    void rfc3922_s6_1_initialFailure(String response, String condition) {
        Run r = new Run(MirrorState.NONE);
        r.feed("xmpp:subscribe");
        assertThat(r.feed(response)).isEqualTo("xmpp-error:" + condition + " xmpp:unsubscribed");
        assertThat(r.state.isNone()).isTrue();
    }

    /**
     * RFC 6121 §4.3.2 rule 1 (privacy, RFC 2779 §5.1): a probe from a user without a subscription is
     * answered unsubscribed, and nothing is asked of the SIP side; the state does not change.
     */
    @Test
    void rfc6121_s4_3_2_probeWhileNoneIsAnsweredUnsubscribed() {
        Run r = new Run(MirrorState.NONE);
        assertThat(r.feed("xmpp:probe")).isEqualTo("xmpp:unsubscribed");
        assertThat(r.state.isNone()).isTrue();
    }

    // RFC 8048 §5.3: a SIP user subscribes to an XMPP user.

    /** RFC 8048 §5.3.1 F26–F33: 200, NOTIFY pending, subscribe to XMPP; subscribed gives NOTIFY active. */
    @Test
    void rfc8048_s5_3_1_flow() {
        Run r = new Run(MirrorState.NONE);
        assertThat(r.feed("sip:subscribe/3600"))                                       // F26 (Example 11): no Expires, 3600
                .isEqualTo("RESPOND:200 NOTIFY:pending/none expiry@3600 xmpp:subscribe"); // F27; RFC 6665 §4.2.1.2; F28 (Ex. 12)
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.NONE_PENDING_IN);
        assertThat(r.feed("xmpp:presence")).isEqualTo("-");                             // no presence before authorization
        assertThat(r.feed("xmpp:subscribed")).isEqualTo("NOTIFY:active/current");      // F31 (Ex. 13) -> F32 (Ex. 14)
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.FROM);
        assertThat(r.feed("xmpp:presence")).isEqualTo("NOTIFY:active/current");        // RFC 8048 §6.2
    }

    /** RFC 8048 §5.3.1 Examples 15–16: unsubscribed gives terminated;reason=rejected. */
    @Test
    void rfc8048_s5_3_1_examples15and16() {
        Run r = new Run(MirrorState.NONE);
        r.feed("sip:subscribe/3600");
        assertThat(r.feed("xmpp:unsubscribed")).isEqualTo("NOTIFY:terminated;reason=rejected/none");
        assertThat(r.state.isNone()).isTrue();
        assertThat(r.feed("sip:refresh/3600")).isEqualTo("RESPOND:481");
    }

    /** RFC 8048 §5.3.2: refreshes answer with a NOTIFY of the current state. */
    @Test
    void rfc8048_s5_3_2_refresh() {
        Run r = new Run(state("NONE/IDLE", "GRANTED/ACTIVE"));
        assertThat(r.feed("sip:refresh/3600")).isEqualTo("RESPOND:200 NOTIFY:active/current expiry@3600");
    }

    /**
     * RFC 8048 §5.3.3 Example 17: Expires 0 in the dialog gives terminated;reason=timeout with a closed
     * document and unavailable to XMPP; the XMPP authorization stands, so a new SUBSCRIBE is active at once.
     */
    @Test
    void rfc8048_s5_3_3_flow() {
        Run r = new Run(state("NONE/IDLE", "GRANTED/ACTIVE"));
        assertThat(r.feed("sip:unsubscribe")).isEqualTo("RESPOND:200 NOTIFY:terminated;reason=timeout/closed xmpp:unavailable");
        assertThat(r.state.roster()).isEqualTo(RosterSubscription.FROM);
        assertThat(r.feed("sip:subscribe/3600")).isEqualTo("RESPOND:200 NOTIFY:active/current expiry@3600 xmpp:probe");
    }

    /** RFC 6665 §4.2.1.4: a subscription not refreshed ends with terminated;reason=timeout. */
    @Test
    void rfc6665_s4_2_1_4_expiry() {
        Run r = new Run(state("NONE/IDLE", "GRANTED/ACTIVE"));
        assertThat(r.feed("timer:expired")).isEqualTo("NOTIFY:terminated;reason=timeout/closed xmpp:unavailable");
        assertThat(r.feed("timer:expired")).isEqualTo("-");
    }

    /** RFC 8048 §7.2 Examples 24–25: a fetch is answered at once, and probes XMPP only when presence is unknown. */
    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "GRANTED/ACTIVE, sip:fetch/known, RESPOND:200 NOTIFY:terminated;reason=timeout/current",
        "GRANTED/IDLE, sip:fetch/unknown, RESPOND:200 NOTIFY:terminated;reason=timeout/current xmpp:probe",
        "NONE/IDLE, sip:fetch/known, RESPOND:200 NOTIFY:terminated;reason=timeout/none xmpp:probe",
        "PENDING/PENDING, sip:fetch/unknown, RESPOND:200 NOTIFY:terminated;reason=timeout/none xmpp:probe",
    })
    void rfc8048_s7_2_fetch(String inbound, String event, String actions) {
        Run r = new Run(state("NONE/IDLE", inbound));
        assertThat(r.feed(event)).isEqualTo(actions);
        assertThat(MachineNotation.inbound(r.state)).isEqualTo(inbound);
    }

    /** RFC 3922 §6.2: an XMPP failure for the relayed subscribe ends the SIP watcher's pending subscription. */
    @Test
    void rfc3922_s6_2_xmppError() {
        Run r = new Run(MirrorState.NONE);
        r.feed("sip:subscribe/3600");
        assertThat(r.feed("xmpp:error/item-not-found")).isEqualTo("NOTIFY:terminated;reason=noresource/none");
        assertThat(r.state.isNone()).isTrue();
    }

    // Values.

    /** RFC 6121 Appendix A.1: the nine states from the two directions. */
    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @CsvSource({
        "NONE, NONE, NONE", "PENDING, NONE, NONE_PENDING_OUT", "NONE, PENDING, NONE_PENDING_IN",
        "PENDING, PENDING, NONE_PENDING_OUT_IN", "GRANTED, NONE, TO", "GRANTED, PENDING, TO_PENDING_IN",
        "NONE, GRANTED, FROM", "PENDING, GRANTED, FROM_PENDING_OUT", "GRANTED, GRANTED, BOTH",
    })
    void rfc6121_a_1_rosterStates(AuthorizationState to, AuthorizationState from, RosterSubscription roster) {
        assertThat(RosterSubscription.of(to, from)).isEqualTo(roster);
        assertThat(roster.to()).isEqualTo(to);
        assertThat(roster.from()).isEqualTo(from);
    }

    @Test
    void impossibleStatesAreRefused() {
        assertThatThrownBy(() -> new MirrorState(AuthorizationState.NONE, SubscriberDialog.ACTIVE,
                AuthorizationState.NONE, NotifierDialog.IDLE)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorState(AuthorizationState.PENDING, SubscriberDialog.ACTIVE,
                AuthorizationState.NONE, NotifierDialog.IDLE)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorState(AuthorizationState.NONE, SubscriberDialog.IDLE,
                AuthorizationState.PENDING, NotifierDialog.ACTIVE)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorState(AuthorizationState.NONE, SubscriberDialog.IDLE,
                AuthorizationState.NONE, NotifierDialog.PENDING)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorAction.SendXmpp(XmppSubscriptionType.ERROR)).isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorAction.SendSubscribe(SubscribeKind.FETCH, OptionalLong.of(60)))
                .isInstanceOf(MappingException.class);
        assertThatThrownBy(() -> new MirrorEvent.SubscribeAccepted(-1)).isInstanceOf(MappingException.class);
    }

    /** RFC 6665 §4.4.3: which event a received SUBSCRIBE is. */
    @ParameterizedTest(name = "Expires {0}, in dialog {1} -> {2}")
    @CsvSource({
        "-, false, SubscribeReceived", "3600, false, SubscribeReceived", "0, false, FetchReceived",
        "1800, true, RefreshReceived", "0, true, UnsubscribeReceived", "-, true, RefreshReceived",
    })
    void rfc6665_s4_4_3_eventOfSubscribe(String expires, boolean inDialog, String event) {
        SipUri romeo = SipUri.parse("sip:romeo@example.net").orThrow();
        SipUri juliet = SipUri.parse("sip:juliet@example.com").orThrow();
        SipSubscribe s = new SipSubscribe(romeo, juliet, expires.equals("-") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(expires)),
                "presence", List.of(), inDialog, Optional.empty());
        assertThat(MirrorEvent.of(s, false).getClass().getSimpleName()).isEqualTo(event);
    }

    /** RFC 6665 §4.2.2: the mirror adds the time remaining to active and pending. */
    @Test
    void rfc6665_s4_2_2_notifyExpires() {
        MirrorAction.SendNotify active = new MirrorAction.SendNotify(new SubscriptionState.Active(OptionalLong.empty()), NotifyBody.CURRENT);
        assertThat(active.withExpires(1200).format()).isEqualTo("active;expires=1200");
        MirrorAction.SendNotify pending = new MirrorAction.SendNotify(new SubscriptionState.Pending(OptionalLong.empty()), NotifyBody.NONE);
        assertThat(pending.withExpires(30).format()).isEqualTo("pending;expires=30");
        MirrorAction.SendNotify ended = new MirrorAction.SendNotify(SubscriptionState.Terminated.of(TerminationReason.TIMEOUT), NotifyBody.NONE);
        assertThat(ended.withExpires(30).format()).isEqualTo("terminated;reason=timeout");
    }

    @Test
    void reasonForXmppConditions() {
        assertThat(CpimSubscriptionToSip.reasonFor(StanzaErrorCondition.ITEM_NOT_FOUND)).isEqualTo(TerminationReason.NORESOURCE);
        assertThat(CpimSubscriptionToSip.reasonFor(StanzaErrorCondition.FORBIDDEN)).isEqualTo(TerminationReason.REJECTED);
        assertThat(CpimSubscriptionToSip.reasonFor(StanzaErrorCondition.REMOTE_SERVER_TIMEOUT)).isEqualTo(TerminationReason.PROBATION);
    }
}
