package org.isthmus.sip.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.sip.SipException;

/** The stored form of a subscription dialog: every field survives, and damaged text is refused by field. */
class SubscriptionDialogCodecTest {

    private static SipUri uri(String text) {
        return SipUri.parse(text).orThrow();
    }

    private static final SubscriptionDialog NOTIFIER = new SubscriptionDialog(SubscriptionDialog.Role.NOTIFIER,
            "a84b4c76e66710@pc33.atlanta.example|x,y%z", "1928301774", "a6c85cf",
            uri("sip:juliet@xmpp.example"), uri("sip:romeo@sip.example"),
            uri("sip:romeo@192.0.2.4:5071;transport=tcp"),
            List.of(uri("sip:p1.example;lr"), uri("sip:[2001:db8::1]:5060;lr;transport=tcp")),
            17, 4, "presence", Optional.of("id,1"), Instant.parse("2026-11-21T10:15:30.123456789Z"), false);

    @Test
    void aNotifierDialogRoundTripsThroughText() {
        String text = SubscriptionDialogCodec.format(NOTIFIER);

        assertThat(text).startsWith("SD1|N|").doesNotContain("\n");
        assertThat(SubscriptionDialogCodec.parse(text)).isEqualTo(NOTIFIER);
    }

    @Test
    void aSubscriberDialogWithoutRoutesOrEventIdRoundTripsThroughBytes() {
        SubscriptionDialog subscriber = new SubscriptionDialog(SubscriptionDialog.Role.SUBSCRIBER, "c@h", "l", "r",
                uri("sip:j%C3%BCliet@xmpp.example"), uri("sips:romeo@sip.example"), uri("sips:romeo@192.0.2.4"),
                List.of(), 1, 0, "presence", Optional.empty(), Instant.EPOCH, true);

        assertThat(SubscriptionDialogCodec.fromBytes(SubscriptionDialogCodec.toBytes(subscriber))).isEqualTo(subscriber);
    }

    @Test
    void theNextRequestAdvancesTheLocalCseqOnly() {
        SubscriptionDialog next = NOTIFIER.next();

        assertThat(next.localCseq()).isEqualTo(18);
        assertThat(next.withLocalCseq(17)).isEqualTo(NOTIFIER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "SD2|N", "SD1|N|c", "SD1|X|c|l|r|sip:a@b|sip:c@d|sip:c@d||1|0|presence||2026-01-01T00:00:00Z|0",
            "SD1|N|c|l|r|sip:a@b|sip:c@d|sip:c@d||x|0|presence||2026-01-01T00:00:00Z|0",
            "SD1|N|c|l|r|sip:a@b|mailto:c@d|sip:c@d||1|0|presence||2026-01-01T00:00:00Z|0",
            "SD1|N|c|l|r|sip:a@b|sip:c@d|sip:c@d||1|0|presence||yesterday|0",
            "SD1|N|c%4|l|r|sip:a@b|sip:c@d|sip:c@d||1|0|presence||2026-01-01T00:00:00Z|0",
            "SD1|N|c|l|r|sip:a@b|sip:c@d|sip:c@d||99999999999|0|presence||2026-01-01T00:00:00Z|0"})
    void damagedTextIsRefused(String text) {
        assertThatThrownBy(() -> SubscriptionDialogCodec.parse(text)).isInstanceOf(SipException.class);
    }

    @Test
    void aValidMinimalLineParses() {
        SubscriptionDialog d = SubscriptionDialogCodec.parse(
                "SD1|S|c|l|r|sip:a@b|sip:c@d|sip:c@d||1|0|presence||2026-01-01T00:00:00Z|0");

        assertThat(d.role()).isEqualTo(SubscriptionDialog.Role.SUBSCRIBER);
        assertThat(d.key()).isEqualTo(new DialogKey("c", "l", "r"));
    }
}
