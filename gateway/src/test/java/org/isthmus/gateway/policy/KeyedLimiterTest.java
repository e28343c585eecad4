package org.isthmus.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.Rate;

/** The token buckets and their bounded table, on a clock the test moves. */
class KeyedLimiterTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Rate TEN_A_SECOND = new Rate(10, 10);

    @Test
    void aBurstPassesThenTheRateHolds() {
        KeyedLimiter limiter = new KeyedLimiter(100);
        long t = 1_000 * SECOND;
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.take("a", TEN_A_SECOND, t)).isEmpty();
        }
        OptionalLong wait = limiter.take("a", TEN_A_SECOND, t);
        assertThat(wait).isPresent();
        // One token comes back every 100 ms.
        assertThat(wait.getAsLong()).isBetween(99_000_000L, 100_000_000L);
        assertThat(limiter.take("a", TEN_A_SECOND, t + SECOND / 10)).isEmpty();
        assertThat(limiter.take("a", TEN_A_SECOND, t + SECOND / 10)).isPresent();
    }

    @Test
    void keysHaveBucketsOfTheirOwn() {
        KeyedLimiter limiter = new KeyedLimiter(100);
        long t = 5 * SECOND;
        Rate one = new Rate(1, 1);
        assertThat(limiter.take("a", one, t)).isEmpty();
        assertThat(limiter.take("a", one, t)).isPresent();
        assertThat(limiter.take("b", one, t)).isEmpty();
        assertThat(limiter.size()).isEqualTo(2);
    }

    @Test
    void aChangedRateStartsAFreshBucket() {
        KeyedLimiter limiter = new KeyedLimiter(100);
        long t = 5 * SECOND;
        assertThat(limiter.take("a", new Rate(1, 1), t)).isEmpty();
        assertThat(limiter.take("a", new Rate(1, 1), t)).isPresent();
        assertThat(limiter.take("a", new Rate(100, 100), t)).isEmpty();
    }

    @Test
    void theTableNeverGrowsPastItsCapAndFreshKeysShareOneBucketWhenAllAreBusy() {
        KeyedLimiter limiter = new KeyedLimiter(3);
        long t = 5 * SECOND;
        Rate rate = new Rate(1, 2);
        for (String key : new String[] {"a", "b", "c"}) {
            assertThat(limiter.take(key, rate, t)).isEmpty();
        }
        // Every tracked key is busy (its bucket not full): the 10,000 new keys share the overflow bucket.
        int passed = 0;
        for (int i = 0; i < 10_000; i++) {
            if (limiter.take("spoofed-" + i, rate, t).isEmpty()) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(2);
        assertThat(limiter.size()).isEqualTo(3);
    }

    @Test
    void aQuietKeyIsForgottenToMakeRoom() {
        KeyedLimiter limiter = new KeyedLimiter(2);
        Rate rate = new Rate(1, 1);
        long t = 5 * SECOND;
        assertThat(limiter.take("a", rate, t)).isEmpty();
        assertThat(limiter.take("b", rate, t)).isEmpty();
        // Two seconds later both buckets are full again; "a", the least recently used, makes room.
        assertThat(limiter.take("c", rate, t + 2 * SECOND)).isEmpty();
        assertThat(limiter.size()).isEqualTo(2);
        assertThat(limiter.take("c", rate, t + 2 * SECOND)).isPresent();
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        assertThat(PolicyGate.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(PolicyGate.retryAfterSeconds(SECOND)).isEqualTo(1);
        assertThat(PolicyGate.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
        assertThat(PolicyGate.retryAfterSeconds(Long.MAX_VALUE / 2)).isEqualTo(86_400);
    }
}
