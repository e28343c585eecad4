package org.isthmus.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
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

class MirrorRecordCodecTest {

    private static final Jid ALICE = Jid.parse("alice@xmpp.test").orThrow();
    private static final Jid BOB = Jid.parse("bob\\40sip.test@sip.xmpp.test").orThrow();
    private static final SipUri ALICE_SIP = SipUri.parse("sip:alice@xmpp.test").orThrow();
    private static final SipUri BOB_SIP = SipUri.parse("sip:bob@sip.test").orThrow();

    private static SubscriptionDialog dialog(SubscriptionDialog.Role role, String callId) {
        return new SubscriptionDialog(role, callId, "local-1", "remote-2", ALICE_SIP, BOB_SIP,
                SipUri.parse("sip:bob@192.0.2.7:5070;transport=tcp").orThrow(),
                List.of(SipUri.parse("sip:proxy.sip.test;lr").orThrow()), 7, 3, "presence", Optional.empty(),
                Instant.parse("2026-11-21T12:00:00Z"), false);
    }

    @Test
    void aFreshPairRoundTrips() {
        MirrorRecord fresh = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP);
        assertThat(MirrorRecordCodec.parse(MirrorRecordCodec.format(fresh))).isEqualTo(fresh);
        assertThat(fresh.isEmpty()).isTrue();
    }

    @Test
    void aPairWithBothDialogsAndEveryTimerRoundTrips() {
        MirrorState both = new MirrorState(AuthorizationState.GRANTED, SubscriberDialog.ACTIVE,
                AuthorizationState.GRANTED, NotifierDialog.ACTIVE);
        MirrorRecord r = MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP).withState(both).withGeneration(4)
                .withSubscriber(Optional.of(dialog(SubscriptionDialog.Role.SUBSCRIBER, "sub@h")))
                .withNotifier(Optional.of(dialog(SubscriptionDialog.Role.NOTIFIER, "not@h")));
        Instant at = Instant.parse("2026-11-21T10:00:00.123Z");
        for (MirrorTimer t : MirrorTimer.values()) {
            r = r.withTimer(t, Optional.of(at.plusSeconds(t.ordinal())));
        }
        byte[] stored = MirrorRecordCodec.INSTANCE.encode(r);
        assertThat(MirrorRecordCodec.INSTANCE.decode(stored)).isEqualTo(r);
        assertThat(new String(stored, StandardCharsets.UTF_8)).startsWith("PM1\n").contains("state=GRANTED,ACTIVE,GRANTED,ACTIVE");
        assertThat(r.isEmpty()).isFalse();
    }

    @Test
    void foreignOrDamagedTextIsRefused() {
        assertThatThrownBy(() -> MirrorRecordCodec.parse("PM9\nuser=a@b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MirrorRecordCodec.parse("PM1\nuser=alice@xmpp.test"))
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> MirrorRecordCodec.parse("PM1\nnonsense")).hasMessageContaining("key=value");
        String good = MirrorRecordCodec.format(MirrorRecord.fresh(ALICE, BOB, ALICE_SIP, BOB_SIP));
        // A state the machine cannot be in (a live dialog without a request) is refused by MirrorState.
        assertThatThrownBy(() -> MirrorRecordCodec.parse(good.replace("NONE,IDLE,NONE,IDLE", "NONE,ACTIVE,NONE,IDLE")))
                .isInstanceOf(RuntimeException.class);
    }
}
