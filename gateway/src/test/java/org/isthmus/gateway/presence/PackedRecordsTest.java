package org.isthmus.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.subscription.AuthorizationState;
import org.isthmus.mapping.subscription.MirrorState;
import org.isthmus.mapping.subscription.NotifierDialog;
import org.isthmus.mapping.subscription.SubscriberDialog;
import org.isthmus.sip.presence.SubscriptionDialog;

class PackedRecordsTest {

    private static final Jid ALICE = Jid.parse("alice@xmpp.test").orThrow();
    private static final Jid BOB = Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow();
    private static final SipUri ALICE_SIP = SipUri.parse("sip:alice@xmpp.test").orThrow();
    private static final SipUri BOB_SIP = SipUri.parse("sip:bob@sip.test").orThrow();

    private final PackedRecords packs = new PackedRecords();

    private static SubscriptionDialog dialog(SubscriptionDialog.Role role, SipUri local, SipUri remote,
                                             String callId, Optional<String> eventId) {
        return new SubscriptionDialog(role, callId, "local-1", "remote-ü", local, remote,
                SipUri.parse("sips:bob@[2001:db8::7]:5071;transport=tcp;ob").orThrow(),
                List.of(SipUri.parse("sip:proxy.sip.test;lr").orThrow(), SipUri.parse("sip:p2.test:5080").orThrow()),
                7, 2_147_483_647L, "presence", eventId, Instant.parse("2026-11-21T12:00:00.000000123Z"), true);
    }

    private MirrorRecord roundTrip(MirrorRecord r) {
        return packs.unpack(packs.pack(r));
    }

    @Test
    void aFreshPairComesBackEqual() {
        MirrorRecord fresh = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP);
        assertThat(roundTrip(fresh)).isEqualTo(fresh);
    }

    @Test
    void everyFieldComesBackEqual() {
        MirrorState both = new MirrorState(AuthorizationState.GRANTED, SubscriberDialog.ACTIVE,
                AuthorizationState.GRANTED, NotifierDialog.ACTIVE);
        MirrorRecord r = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP).withState(both).withGeneration(300)
                .withSubscriber(Optional.of(dialog(SubscriptionDialog.Role.SUBSCRIBER, ALICE_SIP, BOB_SIP, "sub@h",
                        Optional.empty())))
                .withNotifier(Optional.of(dialog(SubscriptionDialog.Role.NOTIFIER, ALICE_SIP,
                        SipUri.parse("sip:watcher@elsewhere.test;user=phone").orThrow(), "not@h", Optional.of("7"))))
                .withOwner("node-b");
        Instant at = Instant.parse("2026-11-21T10:00:00.123456789Z");
        for (MirrorTimer t : MirrorTimer.values()) {
            r = r.withTimer(t, Optional.of(at.plusSeconds(t.ordinal())));
        }
        assertThat(roundTrip(r)).isEqualTo(r);
        // Before the epoch, and one timer only.
        MirrorRecord early = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP)
                .withTimer(MirrorTimer.RETRY, Optional.of(Instant.parse("1969-12-31T23:59:59.5Z")));
        assertThat(roundTrip(early)).isEqualTo(early);
    }

    @Test
    void aUserUriThatIsNotTheJidsOwnFormIsKeptAsItIs() {
        SipUri other = SipUri.parse("sip:alice.smith@gw.xmpp.test:5062").orThrow();
        MirrorRecord r = MirrorRecord.fresh(ALICE, BOB, other, BOB_SIP);
        assertThat(roundTrip(r)).isEqualTo(r);
        Jid domainOnly = Jid.parse("xmpp.test").orThrow();
        MirrorRecord noLocal = MirrorRecord.fresh(domainOnly, BOB, ALICE_SIP, BOB_SIP);
        assertThat(roundTrip(noLocal)).isEqualTo(noLocal);
    }

    @Test
    void hostsAreSharedUpToTheBoundThenWrittenOut() {
        for (int i = 0; i < PackedRecords.MAX_SHARED + 50; i++) {
            SipUri contact = SipUri.parse("sip:c@host" + i + ".test").orThrow();
            MirrorRecord r = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, contact);
            assertThat(roundTrip(r)).isEqualTo(r);
        }
        assertThat(packs.sharedCount()).isEqualTo(PackedRecords.MAX_SHARED);
        MirrorRecord first = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, SipUri.parse("sip:c@host0.test").orThrow());
        MirrorRecord last = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP,
                SipUri.parse("sip:c@host" + (PackedRecords.MAX_SHARED + 49) + ".test").orThrow());
        assertThat(packs.pack(first).length).isLessThan(packs.pack(last).length);
    }

    @Test
    void aPairWithBothDialogsTakesAFractionOfItsStoredText() {
        MirrorRecord r = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP)
                .withSubscriber(Optional.of(dialog(SubscriptionDialog.Role.SUBSCRIBER, ALICE_SIP, BOB_SIP, "sub@h",
                        Optional.empty())))
                .withNotifier(Optional.of(dialog(SubscriptionDialog.Role.NOTIFIER, ALICE_SIP, BOB_SIP, "not@h",
                        Optional.empty())));
        packs.pack(r);
        assertThat(packs.pack(r).length).isLessThan(MirrorRecordCodec.format(r).length() / 3);
    }
}
