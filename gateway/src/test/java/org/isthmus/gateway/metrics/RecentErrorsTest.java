package org.isthmus.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.mapping.error.StanzaErrorCondition;

class RecentErrorsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    private static RecentErrors.Entry note(RecentErrors errors, String callId) {
        return errors.record(Direction.SIP_TO_XMPP, Optional.of(callId), Optional.empty(), "sip:bob@sip.test",
                Optional.of(StanzaErrorCondition.ITEM_NOT_FOUND), Optional.of(404), "no such user");
    }

    @Test
    void keepsTheNewestUpToItsCapacityAndCountsThemAll() {
        RecentErrors errors = new RecentErrors(3, CLOCK);
        for (int i = 1; i <= 5; i++) {
            assertThat(note(errors, "c" + i).id()).isEqualTo(i);
        }
        assertThat(errors.newestFirst()).extracting(e -> e.callId().orElseThrow()).containsExactly("c5", "c4", "c3");
        assertThat(errors.newestFirst()).extracting(RecentErrors.Entry::id).containsExactly(5L, 4L, 3L);
        assertThat(errors.count()).isEqualTo(5);
        RecentErrors.Entry last = errors.newestFirst().get(0);
        assertThat(last.time()).isEqualTo(CLOCK.instant());
        assertThat(last.directionTag()).isEqualTo("sip_to_xmpp");
        assertThat(last.status()).contains(404);
    }

    @Test
    void aLongReasonIsCut() {
        RecentErrors errors = new RecentErrors(1, CLOCK);
        RecentErrors.Entry e = errors.record(Direction.XMPP_TO_SIP, Optional.empty(), Optional.of("m1"),
                "alice@xmpp.test/pc", Optional.empty(), Optional.of(503), "x".repeat(1000));
        assertThat(e.text()).hasSize(RecentErrors.MAX_TEXT_CHARS + 1).endsWith("…");
    }

    @Test
    void aRingNeedsRoomForOne() {
        assertThatThrownBy(() -> new RecentErrors(0, CLOCK)).isInstanceOf(IllegalArgumentException.class);
    }
}
