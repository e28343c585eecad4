package org.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
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

    @Test
    void manyKeysKeepTheirOwnOrderAndLeaveNoLaneBehind() throws Exception {
        try (Lanes lanes = new Lanes(3, Duration.ofSeconds(5))) {
            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                int n = i;
                String key = "user" + (i % 17) + "@xmpp.test";
                all.add(lanes.submit(key, () -> {
                    seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(n);
                    // Every fifth task waits for a stage that another thread completes.
                    return n % 5 == 0 ? CompletableFuture.runAsync(() -> { }) : CompletableFuture.completedFuture(null);
                }));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
            assertThat(seen).hasSize(17);
            seen.forEach((key, numbers) -> assertThat(numbers).isSorted().hasSize(numbers.get(0) < 2000 % 17 ? 118 : 117));
            for (int i = 0; i < 100 && lanes.busyLanes() > 0; i++) {
                Thread.sleep(10);
            }
            assertThat(lanes.busyLanes()).isZero();
        }
    }

    @Test
    void theNextTaskWaitsForTheStageOfThePreviousOne() throws Exception {
        try (Lanes lanes = new Lanes(2, Duration.ofSeconds(5))) {
            CompletableFuture<String> gate = new CompletableFuture<>();
            CompletableFuture<String> first = lanes.submit("k", () -> gate);
            CompletableFuture<String> second = lanes.submit("k", () -> CompletableFuture.completedFuture("second"));
            assertThat(lanes.busyLanes()).isEqualTo(1);
            assertThat(second.completeOnTimeout("not yet", 200, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS))
                    .isEqualTo("not yet");
            gate.complete("first");
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
        }
    }

    @Test
    void aStageThatFailsFailsItsTaskAndTheLaneGoesOn() throws Exception {
        try (Lanes lanes = new Lanes(1, Duration.ofSeconds(5))) {
            CompletableFuture<String> failed = lanes.submit("k",
                    () -> CompletableFuture.failedFuture(new IllegalStateException("store down")));
            CompletableFuture<String> later = new CompletableFuture<>();
            CompletableFuture<String> failsLater = lanes.submit("k", () -> later);
            CompletableFuture<String> after = lanes.submit("k", () -> CompletableFuture.completedFuture("ran"));
            later.completeExceptionally(new IllegalArgumentException("refused"));
            assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
            assertThatThrownBy(() -> failed.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> failsLater.get(1, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aStuckStageIsAbandonedAtTheStepLimitAndItsLateCompletionChangesNothing() throws Exception {
        try (Lanes lanes = new Lanes(1, Duration.ofMillis(100))) {
            CompletableFuture<String> never = new CompletableFuture<>();
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<String> stuck = lanes.submit("k", () -> {
                order.add("stuck");
                return never;
            });
            CompletableFuture<String> next = lanes.submit("k", () -> {
                order.add("next");
                return CompletableFuture.completedFuture("next");
            });
            assertThatThrownBy(() -> stuck.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(TimeoutException.class);
            assertThat(next.get(5, TimeUnit.SECONDS)).isEqualTo("next");
            never.complete("too late");
            CompletableFuture<String> last = lanes.submit("k", () -> {
                order.add("last");
                return CompletableFuture.completedFuture("last");
            });
            assertThat(last.get(5, TimeUnit.SECONDS)).isEqualTo("last");
            assertThat(stuck).isCompletedExceptionally();
            assertThat(order).containsExactly("stuck", "next", "last");
        }
    }

    @Test
    void aTaskSubmittedAfterCloseFails() {
        Lanes lanes = new Lanes(1, Duration.ofSeconds(5));
        lanes.close();
        CompletableFuture<String> refused = lanes.submit("k", () -> CompletableFuture.completedFuture("ran"));
        assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(lanes.busyLanes()).isZero();
    }
}
