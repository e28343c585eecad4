package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.metrics.GatewayMeters;

/** The {@link StateStore} contract through {@link MeteredStateStore}, and the timings it records. */
class MeteredStateStoreTest extends StateStoreContract {

    @TempDir
    Path directory;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Override
    protected StateStore openEmpty() {
        return new MeteredStateStore(EmbeddedStore.open(directory), new GatewayMeters(registry));
    }

    @Override
    protected StateStore reopen() {
        return openEmpty();
    }

    private long count(String operation, String outcome) {
        Timer t = registry.find(GatewayMeters.STORE).tag("operation", operation).tag("outcome", outcome).timer();
        return t == null ? 0 : t.count();
    }

    /**
     * Waits until the timer of {@code operation} has counted {@code expected}: the meter records when
     * the store's stage completes, which may be just after the test's own wait on it returns.
     */
    private void awaitCount(String operation, String outcome, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (count(operation, outcome) < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(count(operation, outcome)).as("%s %s", operation, outcome).isEqualTo(expected);
    }

    @Test
    void everyOperationIsTimedWithItsOutcome() throws InterruptedException {
        join(store.put(key("k"), utf8("v")));
        awaitCount("put", "ok", 1);
        assertThat(join(store.get(key("k")))).isPresent();
        awaitCount("get", "ok", 1);
        // A compare-and-set that loses is an answer, not a failure.
        assertThat(join(store.putIfVersion(key("k"), 12345, utf8("w"), Optional.empty())))
                .isEqualTo(OptionalLong.empty());
        awaitCount("put_if_version", "ok", 1);
        join(store.put(key("n"), utf8("not a number")));
        assertThatThrownBy(() -> join(store.increment(key("n"), 1)));
        awaitCount("increment", "failed", 1);
        assertThat(registry.find(GatewayMeters.STORE).tag("operation", "put").timer().totalTime(TimeUnit.NANOSECONDS))
                .isPositive();
    }
}
