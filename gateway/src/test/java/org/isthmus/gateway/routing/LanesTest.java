package org.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

class LanesTest {

    @Test
    void tasksForOneKeyRunInOrderEvenWhenTheirStagesCompleteLater() throws Exception {
        try (Lanes lanes = new Lanes(4, Duration.ofSeconds(5))) {
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                all.add(lanes.submit("alice@xmpp.test", () -> {
                    seen.add(n);
                    // Each task's stage completes on another thread, a little later.
                    return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(
                            n % 3, TimeUnit.MILLISECONDS));
                }));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                expected.add(i);
            }
            assertThat(seen).isEqualTo(expected);
        }
    }

    @Test
    void differentKeysRunInParallel() throws Exception {
        try (Lanes lanes = new Lanes(2, Duration.ofSeconds(5))) {
            CountDownLatch both = new CountDownLatch(2);
            Map<String, Boolean> met = new ConcurrentHashMap<>();
            List<CompletableFuture<Boolean>> tasks = new ArrayList<>();
            for (String key : List.of("a@x", "b@x")) {
                tasks.add(lanes.submit(key, () -> {
                    both.countDown();
                    try {
                        met.put(key, both.await(5, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return CompletableFuture.completedFuture(true);
                }));
            }
            for (CompletableFuture<Boolean> t : tasks) {
                t.get(10, TimeUnit.SECONDS);
            }
            assertThat(met).containsOnly(Map.entry("a@x", true), Map.entry("b@x", true));
        }
    }

    @Test
    void aFailingOrStuckTaskDoesNotBlockItsLane() throws Exception {
        try (Lanes lanes = new Lanes(1, Duration.ofMillis(200))) {
            CompletableFuture<Object> fails = lanes.submit("k", () -> {
                throw new IllegalStateException("boom");
            });
            CompletableFuture<Object> stuck = lanes.submit("k", CompletableFuture::new);
            CompletableFuture<String> after = lanes.submit("k", () -> CompletableFuture.completedFuture("ran"));
            assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThat(fails).isCompletedExceptionally();
            try {
                stuck.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
            }
            assertThat(lanes.busyLanes()).isLessThanOrEqualTo(1);
        }
    }
}
