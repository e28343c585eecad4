package org.isthmus.mapping.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.MediaType;

/**
 * The subscription examples of RFC 8048 §5 and §7 and the operations of RFC 3922 §6, through the
 * stateless translators. Juliet (example.com) is the XMPP user; Romeo (example.net) is the SIP user,
 * whom XMPP sees through the gateway's component domain as {@code romeo\40example.net@gw.example.com}
 * (the RFC's examples use the federation form {@code romeo@example.net}; the address mode is
 * AddressMapper's concern, not this one's).
 */
class SubscriptionTranslationTest {

    private final AddressMapper addresses = new AddressMapper("gw.example.com", Set.of("example.com"));

    private static final Jid JULIET = jid("juliet@example.com");
    private static final Jid ROMEO = jid("romeo\\40example.net@gw.example.com");
    private static final SipUri SIP_JULIET = sip("sip:juliet@example.com");
    private static final SipUri SIP_ROMEO = sip("sip:romeo@example.net");
    private static final PresUri PRES_JULIET = PresUri.parse("pres:juliet@example.com").orThrow();
    private static final PresUri PRES_ROMEO = PresUri.parse("pres:romeo@example.net").orThrow();

    private static Jid jid(String s) {
        return Jid.parse(s).orThrow();
    }

    private static SipUri sip(String s) {
        return SipUri.parse(s).orThrow();
    }

    private XmppSubscription stanza(Jid from, Jid to, XmppSubscriptionType type) {
        return XmppSubscription.of(from, to, type, Optional.empty());
    }

    private CpimSubscription fromXmpp(XmppSubscription stanza) {
        return XmppSubscriptionToCpim.translate(stanza, addresses).orThrow();
    }

    private Optional<XmppSubscription> toXmpp(CpimSubscription op) {
        return CpimSubscriptionToXmpp.translate(op, addresses).orThrow();
    }

    private static SipSubscribe received(OptionalLong expires, boolean inDialog, List<MediaType> accept) {
        return new SipSubscribe(SIP_ROMEO, SIP_JULIET, expires, "presence", accept, inDialog,
                Optional.of("AA5A8BE5-CBB7-42B9-8181-6230012B1E11"));
    }

    // RFC 8048 §5.2: XMPP to SIP.

    /** RFC 8048 §5.2.1 Examples 1 and 2: subscribe becomes SUBSCRIBE, Event presence, Accept PIDF. */
    @Test
    void rfc8048_s5_2_1_examples1and2() {
        CpimSubscription op = fromXmpp(stanza(JULIET, ROMEO, XmppSubscriptionType.SUBSCRIBE));
        // RFC 3922 §6.1: watcher and target are pres: addresses; XMPP has no duration.
        assertThat(op).isEqualTo(new CpimSubscription.Subscribe(PRES_JULIET, PRES_ROMEO, OptionalLong.empty(), Optional.empty()));
        SipSubscribe s = CpimSubscriptionToSip.subscribe((CpimSubscription.Subscribe) op, 3600, addresses);
        assertThat(s.watcher()).isEqualTo(SIP_JULIET);
        assertThat(s.presentity()).isEqualTo(SIP_ROMEO);
        assertThat(s.event()).isEqualTo("presence");
        assertThat(s.accept()).containsExactly(MediaType.parse("application/pidf+xml").orThrow());
        assertThat(s.expires()).hasValue(3600);
        assertThat(s.inDialog()).isFalse();
        assertThat(s.isFetch() || s.isUnsubscribe()).isFalse();
    }

    /** RFC 3922 §6.1: the XMPP id is the TransID, and a full JID subscribes as its bare JID (RFC 6121 §3.1.2). */
    @Test
    void rfc3922_s6_1_idAndBareJids() {
        CpimSubscription op = fromXmpp(XmppSubscription.of(jid("juliet@example.com/balcony"),
                jid("romeo\\40example.net@gw.example.com/dr4hcr0st3lup4c"), XmppSubscriptionType.SUBSCRIBE, Optional.of("xk3h1v69")));
        assertThat(op).isEqualTo(new CpimSubscription.Subscribe(PRES_JULIET, PRES_ROMEO, OptionalLong.empty(), Optional.of("xk3h1v69")));
    }

    /** RFC 8048 §5.2.1 Examples 4 and 5: the first NOTIFY active becomes subscribed from Romeo. */
    @Test
    void rfc8048_s5_2_1_examples4and5() {
        SubscriptionState state = SubscriptionState.parse("active;expires=499").orThrow();
        CpimSubscription op = SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO, state, addresses).orThrow().orElseThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Approve(PRES_JULIET, PRES_ROMEO, Optional.empty()));
        assertThat(toXmpp(op)).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.SUBSCRIBED));
    }

    /** RFC 8048 §5.2.1 F6: a pending NOTIFY sends nothing to the XMPP user. */
    @Test
    void rfc8048_s5_2_1_f6_pendingSendsNothing() {
        assertThat(SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO, SubscriptionState.parse("pending").orThrow(), addresses)
                .orThrow()).isEmpty();
    }

    /** RFC 8048 §5.2.3 Examples 7 and 8: unsubscribe becomes SUBSCRIBE Expires 0 in the dialog. */
    @Test
    void rfc8048_s5_2_3_examples7and8() {
        CpimSubscription op = fromXmpp(stanza(JULIET, ROMEO, XmppSubscriptionType.UNSUBSCRIBE));
        assertThat(op).isEqualTo(new CpimSubscription.Unsubscribe(PRES_JULIET, PRES_ROMEO, Optional.empty()));
        SipSubscribe s = CpimSubscriptionToSip.unsubscribe((CpimSubscription.Unsubscribe) op, addresses);
        assertThat(s.expires()).hasValue(0);
        assertThat(s.inDialog()).isTrue();
        assertThat(s.isUnsubscribe()).isTrue();
        assertThat(s.accept()).containsExactly(SipSubscribe.PIDF);
    }

    /**
     * RFC 8048 §5.2.3 Example 10: the final NOTIFY says only "terminated". Without a reason RFC 6665
     * §4.1.3 lets the subscriber re-subscribe; here it ends an unsubscribe, which the machine knows
     * (SubscriptionMachineTest), and the stateless reading is "retry later".
     */
    @Test
    void rfc8048_s5_2_3_example10() {
        CpimSubscription op = SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO,
                SubscriptionState.parse("terminated").orThrow(), addresses).orThrow().orElseThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Ended(PRES_JULIET, PRES_ROMEO, TerminationOutcome.RETRY_LATER,
                OptionalLong.empty()));
    }

    /** RFC 8048 §5.2.2 and §5.3.1: terminated;reason=rejected from the SIP side becomes unsubscribed. */
    @Test
    void rfc8048_s5_2_2_rejectedIsUnsubscribed() {
        CpimSubscription op = SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO,
                SubscriptionState.parse("terminated;reason=rejected").orThrow(), addresses).orThrow().orElseThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Deny(PRES_JULIET, PRES_ROMEO, Optional.empty()));
        assertThat(toXmpp(op)).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.UNSUBSCRIBED));
    }

    /** RFC 6665 §4.1.3 reasons, each through to XMPP (the TerminationOutcome table). */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "terminated;reason=rejected, unsubscribed",
        "terminated;reason=noresource, unsubscribed",
        "terminated;reason=deactivated, -",
        "terminated;reason=timeout, -",
        "terminated;reason=invariant, -",
        "terminated;reason=probation;retry-after=60, unavailable",
        "terminated;reason=giveup, unavailable",
        "terminated;reason=badfilter, unavailable",
        "terminated, unavailable",
    })
    void rfc6665_s4_1_3_reasonsToXmpp(String header, String xmpp) {
        CpimSubscription op = SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO, SubscriptionState.parse(header).orThrow(), addresses)
                .orThrow().orElseThrow();
        Optional<XmppSubscription> out = toXmpp(op);
        if (xmpp.equals("-")) {
            assertThat(out).isEmpty();
        } else {
            assertThat(out).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.fromWire(xmpp).orElseThrow()));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "rejected, CANCELLED", "noresource, CANCELLED", "deactivated, RESUBSCRIBE", "timeout, RESUBSCRIBE",
        "probation, RETRY_LATER", "giveup, RETRY_LATER", "invariant, KEPT",
    })
    void rfc6665_s4_1_3_terminationOutcomes(String reason, TerminationOutcome outcome) {
        assertThat(TerminationOutcome.of(TerminationReason.fromToken(reason).orElseThrow())).isEqualTo(outcome);
        SubscriptionState.Terminated t = (SubscriptionState.Terminated) SubscriptionState.parse("terminated;reason=" + reason).orThrow();
        assertThat(TerminationOutcome.of(t)).isEqualTo(outcome);
    }

    /** RFC 6665 §4.1.3: retry-after survives into the neutral value. */
    @Test
    void rfc6665_s4_1_3_retryAfterIsKept() {
        CpimSubscription op = SipSubscriptionToCpim.notify(SIP_JULIET, SIP_ROMEO,
                SubscriptionState.parse("terminated;reason=probation;retry-after=120").orThrow(), addresses).orThrow().orElseThrow();
        assertThat(((CpimSubscription.Ended) op).retryAfter()).hasValue(120);
    }

    // RFC 8048 §5.3: SIP to XMPP.

    /** RFC 8048 §5.3.1 Examples 11 and 12: SUBSCRIBE without Expires (3600, RFC 3856 §6.4) becomes subscribe. */
    @Test
    void rfc8048_s5_3_1_examples11and12() {
        SipSubscribe request = received(OptionalLong.empty(), false, List.of(SipSubscribe.PIDF));
        assertThat(request.effectiveExpires()).isEqualTo(3600);
        CpimSubscription op = SipSubscriptionToCpim.subscribe(request, addresses).orThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Subscribe(PRES_ROMEO, PRES_JULIET, OptionalLong.of(3600), Optional.empty()));
        assertThat(toXmpp(op)).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.SUBSCRIBE));
    }

    /** RFC 8048 §5.3.1 Examples 13 and 14: subscribed becomes NOTIFY active, with no presence known yet. */
    @Test
    void rfc8048_s5_3_1_examples13and14() {
        CpimSubscription op = fromXmpp(stanza(JULIET, ROMEO, XmppSubscriptionType.SUBSCRIBED));
        assertThat(op).isEqualTo(new CpimSubscription.Approve(PRES_ROMEO, PRES_JULIET, Optional.empty()));
        SipNotify n = CpimSubscriptionToSip.notify((CpimSubscription.Approve) op, 3600, addresses);
        assertThat(n.watcher()).isEqualTo(SIP_ROMEO);
        assertThat(n.presentity()).isEqualTo(SIP_JULIET);
        // RFC 6665 §4.2.2 requires expires on active; Example 14 leaves it out.
        assertThat(n.state().format()).isEqualTo("active;expires=3600");
        assertThat(n.body()).isEqualTo(NotifyBody.CURRENT);
    }

    /** RFC 8048 §5.3.1 Examples 15 and 16: unsubscribed becomes terminated;reason=rejected, no body. */
    @Test
    void rfc8048_s5_3_1_examples15and16() {
        CpimSubscription op = fromXmpp(stanza(JULIET, ROMEO, XmppSubscriptionType.UNSUBSCRIBED));
        assertThat(op).isEqualTo(new CpimSubscription.Deny(PRES_ROMEO, PRES_JULIET, Optional.empty()));
        SipNotify n = CpimSubscriptionToSip.notify((CpimSubscription.Deny) op, addresses);
        assertThat(n.state().format()).isEqualTo("terminated;reason=rejected");
        assertThat(n.body()).isEqualTo(NotifyBody.NONE);
    }

    /**
     * RFC 8048 §5.3.3 Example 17: SUBSCRIBE Expires 0 in the dialog ends the notification dialog only:
     * the XMPP user gets unavailable, not unsubscribe (the authorization stands).
     */
    @Test
    void rfc8048_s5_3_3_example17() {
        SipSubscribe request = received(OptionalLong.of(0), true, List.of());
        CpimSubscription op = SipSubscriptionToCpim.subscribe(request, addresses).orThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Unsubscribe(PRES_ROMEO, PRES_JULIET, Optional.empty()));
        assertThat(toXmpp(op)).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.UNAVAILABLE));
    }

    /** RFC 8048 §5.3.2: a refresh in the dialog is a subscribe again (RFC 3859 §3.1). */
    @Test
    void rfc8048_s5_3_2_refresh() {
        CpimSubscription op = SipSubscriptionToCpim.subscribe(received(OptionalLong.of(1800), true, List.of()), addresses).orThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Subscribe(PRES_ROMEO, PRES_JULIET, OptionalLong.of(1800), Optional.empty()));
    }

    // RFC 8048 §7: polling.

    /** RFC 8048 §7.1 Examples 22 and 23: a probe (from a full JID) becomes SUBSCRIBE Expires 0 in a new dialog. */
    @Test
    void rfc8048_s7_1_examples22and23() {
        CpimSubscription op = fromXmpp(stanza(jid("juliet@example.com/chamber"), ROMEO, XmppSubscriptionType.PROBE));
        assertThat(op).isEqualTo(new CpimSubscription.Fetch(PRES_JULIET, PRES_ROMEO, Optional.empty()));
        SipSubscribe s = CpimSubscriptionToSip.fetch((CpimSubscription.Fetch) op, addresses);
        assertThat(s.watcher()).isEqualTo(SIP_JULIET);
        assertThat(s.presentity()).isEqualTo(SIP_ROMEO);
        assertThat(s.expires()).hasValue(0);
        assertThat(s.inDialog()).isFalse();
        assertThat(s.isFetch()).isTrue();
        assertThat(s.event()).isEqualTo("presence");
    }

    /** RFC 8048 §7.2 Examples 24 and 25: SUBSCRIBE Expires 0 in a new dialog becomes a probe. */
    @Test
    void rfc8048_s7_2_examples24and25() {
        SipSubscribe request = received(OptionalLong.of(0), false, List.of());
        assertThat(request.isFetch()).isTrue();
        CpimSubscription op = SipSubscriptionToCpim.subscribe(request, addresses).orThrow();
        assertThat(op).isEqualTo(new CpimSubscription.Fetch(PRES_ROMEO, PRES_JULIET, Optional.empty()));
        assertThat(toXmpp(op)).contains(stanza(ROMEO, JULIET, XmppSubscriptionType.PROBE));
    }

    // RFC 3922 §6: exceptions and responses, through the RFC 7247 §7 tables.

    /** RFC 3922 §6.1: a target that is not a presentity the gateway reaches gives item-not-found. */
    @Test
    void rfc3922_s6_1_targetNotValid() {
        Mapped<CpimSubscription> m = XmppSubscriptionToCpim.translate(
                stanza(JULIET, jid("mercutio@example.com"), XmppSubscriptionType.SUBSCRIBE), addresses);
        assertThat(rejected(m).condition()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
    }

    /** RFC 8048 §8.1: only users of the gateway's XMPP domains may use it. */
    @Test
    void rfc8048_s8_1_foreignSenderIsForbidden() {
        Mapped<CpimSubscription> m = XmppSubscriptionToCpim.translate(
                stanza(jid("tybalt@example.org"), ROMEO, XmppSubscriptionType.SUBSCRIBE), addresses);
        assertThat(rejected(m).condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
    }

    /** RFC 3922 §6.1 exceptions from SIP responses, by RFC 7247 §7.2 Table 3; 2xx (202 as 200) has no XMPP form. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "403, forbidden", "404, item-not-found", "489, policy-violation", "603, recipient-unavailable",
        "604, item-not-found", "480, recipient-unavailable", "408, remote-server-timeout", "423, resource-constraint",
        "481, item-not-found", "500, internal-server-error",
    })
    void rfc3922_s6_1_failureResponses(int code, String condition) {
        CpimSubscription op = SipSubscriptionToCpim.response(SIP_JULIET, SIP_ROMEO, SipStatus.of(code), addresses).orThrow().orElseThrow();
        CpimSubscription.Failed failed = (CpimSubscription.Failed) op;
        assertThat(failed.reason().condition().elementName()).isEqualTo(condition);
        assertThat(failed.reason().sipStatus()).contains(SipStatus.of(code));
        XmppSubscription error = toXmpp(op).orElseThrow();
        assertThat(error.type()).isEqualTo(XmppSubscriptionType.ERROR);
        assertThat(error.from()).isEqualTo(ROMEO);
        assertThat(error.to()).isEqualTo(JULIET);
        assertThat(error.error().orElseThrow().condition().elementName()).isEqualTo(condition);
    }

    /**
     * Two component domains, gw.example.com for example.com and gw.example.org for example.org: Romeo's
     * subscription to the nurse and a failure to reach him come from the component of her domain
     * (XEP-0114 §3), and her subscribe to that JID is Romeo's again.
     */
    @Test
    void sipPartyAppearsUnderTheComponentThatServesTheXmppUsersDomain() {
        AddressMapper two = new AddressMapper(org.isthmus.mapping.address.AddressRules
                .component("gw.example.com", Set.of("example.com")).withComponent("gw.example.org", Set.of("example.org")));
        Jid nurse = jid("nurse@example.org");
        Jid romeo = jid("romeo\\40example.net@gw.example.org");
        SipUri sipNurse = sip("sip:nurse@example.org");
        SipSubscribe request = new SipSubscribe(SIP_ROMEO, sipNurse, OptionalLong.empty(), "presence",
                List.of(SipSubscribe.PIDF), false, Optional.empty());
        CpimSubscription subscribe = SipSubscriptionToCpim.subscribe(request, two).orThrow();
        assertThat(CpimSubscriptionToXmpp.translate(subscribe, two).orThrow())
                .contains(stanza(romeo, nurse, XmppSubscriptionType.SUBSCRIBE));
        CpimSubscription failed = SipSubscriptionToCpim.response(sipNurse, SIP_ROMEO, SipStatus.of(404), two).orThrow()
                .orElseThrow();
        XmppSubscription error = CpimSubscriptionToXmpp.translate(failed, two).orThrow().orElseThrow();
        assertThat(error.from()).isEqualTo(romeo);
        assertThat(error.to()).isEqualTo(nurse);
        assertThat(XmppSubscriptionToCpim.translate(stanza(nurse, romeo, XmppSubscriptionType.SUBSCRIBE), two).orThrow())
                .isEqualTo(new CpimSubscription.Subscribe(PresUri.parse("pres:nurse@example.org").orThrow(), PRES_ROMEO,
                        OptionalLong.empty(), Optional.empty()));
    }

    @ParameterizedTest
    @CsvSource({"200", "202"})
    void rfc6665_s8_3_1_successHasNoXmppForm(int code) {
        assertThat(SipSubscriptionToCpim.response(SIP_JULIET, SIP_ROMEO, SipStatus.of(code), addresses).orThrow()).isEmpty();
    }

    /** RFC 3922 §6.2: an XMPP error to the relayed subscribe informs the SIP watcher by a terminating NOTIFY. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "item-not-found, noresource", "gone, noresource", "remote-server-not-found, noresource",
        "forbidden, rejected", "not-authorized, rejected", "service-unavailable, rejected",
        "remote-server-timeout, probation", "recipient-unavailable, probation", "resource-constraint, probation",
    })
    void rfc3922_s6_2_xmppErrorToNotify(String condition, String reason) {
        XmppSubscription subscribe = stanza(ROMEO, JULIET, XmppSubscriptionType.SUBSCRIBE);
        XmppSubscription error = subscribe.errorReply(StanzaError.of(StanzaErrorCondition.fromElementName(condition).orElseThrow(), null));
        CpimSubscription op = fromXmpp(error);
        assertThat(op).isInstanceOf(CpimSubscription.Failed.class);
        SipNotify n = CpimSubscriptionToSip.notify((CpimSubscription.Failed) op, addresses);
        assertThat(n.watcher()).isEqualTo(SIP_ROMEO);
        assertThat(n.state().format()).isEqualTo("terminated;reason=" + reason);
    }

    /** RFC 3922 §6.4 and §6.5: unsubscribe and unsubscribed carry duration zero in CPP; here Unsubscribe and Deny. */
    @Test
    void rfc3922_s6_4_and_s6_5() {
        assertThat(fromXmpp(XmppSubscription.of(JULIET, ROMEO, XmppSubscriptionType.UNSUBSCRIBE, Optional.of("u1"))))
                .isEqualTo(new CpimSubscription.Unsubscribe(PRES_JULIET, PRES_ROMEO, Optional.of("u1")));
        assertThat(fromXmpp(XmppSubscription.of(JULIET, ROMEO, XmppSubscriptionType.UNSUBSCRIBED, Optional.of("u2"))))
                .isEqualTo(new CpimSubscription.Deny(PRES_ROMEO, PRES_JULIET, Optional.of("u2")));
    }

    @Test
    void unavailableIsNotASubscriptionOperation() {
        assertThat(rejected(XmppSubscriptionToCpim.translate(stanza(JULIET, ROMEO, XmppSubscriptionType.UNAVAILABLE), addresses))
                .condition()).isEqualTo(StanzaErrorCondition.BAD_REQUEST);
    }

    /** RFC 6665 §4.2.1.1 and §8.2.1: an event package other than presence (compared byte by byte) gets 489. */
    @ParameterizedTest
    @CsvSource({"dialog", "Presence", "presence.winfo", "message-summary"})
    void rfc6665_s4_2_1_1_badEvent(String event) {
        SipSubscribe request = new SipSubscribe(SIP_ROMEO, SIP_JULIET, OptionalLong.empty(), event, List.of(), false, Optional.empty());
        Rejected r = rejected(SipSubscriptionToCpim.subscribe(request, addresses));
        assertThat(CpimSubscriptionToSip.responseFor(r).code()).isEqualTo(489);
    }

    /** RFC 3856 §6.5 and RFC 6665 §4.1.2.1: an Accept that leaves out PIDF gets 406; wildcards cover it. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "application/xpidf+xml | 406",
        "text/plain | 406",
        "application/pidf+xml | 0",
        "application/* | 0",
        "*/* | 0",
        "application/xpidf+xml, application/pidf+xml | 0",
    })
    void rfc3856_s6_5_accept(String accept, int status) {
        List<MediaType> types = java.util.Arrays.stream(accept.split(",")).map(t -> MediaType.parse(t.strip()).orThrow()).toList();
        Mapped<CpimSubscription> m = SipSubscriptionToCpim.subscribe(received(OptionalLong.of(60), false, types), addresses);
        if (status == 0) {
            assertThat(m.isOk()).isTrue();
        } else {
            assertThat(CpimSubscriptionToSip.responseFor(rejected(m)).code()).isEqualTo(status);
        }
    }

    /** A SUBSCRIBE for someone who is not an XMPP user of the gateway: 604 by RFC 7247 §7.1 (bare JID). */
    @Test
    void rfc7247_s7_1_unknownPresentity() {
        SipSubscribe request = new SipSubscribe(SIP_ROMEO, sip("sip:tybalt@example.org"), OptionalLong.empty(), "presence",
                List.of(), false, Optional.empty());
        Rejected r = rejected(SipSubscriptionToCpim.subscribe(request, addresses));
        assertThat(r.condition()).isEqualTo(StanzaErrorCondition.ITEM_NOT_FOUND);
        assertThat(CpimSubscriptionToSip.responseFor(r).code()).isEqualTo(604);
    }

    /** A SIP watcher claiming an XMPP user's address is refused. */
    @Test
    void sipWatcherWithXmppAddressIsForbidden() {
        SipSubscribe request = new SipSubscribe(sip("sip:nurse@example.com"), SIP_JULIET, OptionalLong.empty(), "presence",
                List.of(), false, Optional.empty());
        assertThat(rejected(SipSubscriptionToCpim.subscribe(request, addresses)).condition()).isEqualTo(StanzaErrorCondition.FORBIDDEN);
    }

    private static Rejected rejected(Mapped<?> m) {
        assertThat(m.isOk()).isFalse();
        return ((Mapped.Failed<?>) m).rejected();
    }
}
