package org.isthmus.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineQueueTest {

    private static final class Item extends DeadlineQueue.Slot {
        final int id;

        Item(int id) {
            this.id = id;
        }
    }

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final List<String> fired = Collections.synchronizedList(new ArrayList<>());
    private final DeadlineQueue<Item> queue = new DeadlineQueue<>(timer, (item, deadline) ->
            fired.add(item.id + "@" + deadline));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private void awaitFired(int n) throws InterruptedException {
        for (int i = 0; i < 500 && fired.size() < n; i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void slotsFireInDeadlineOrderWithTheDeadlineTheyWereArmedFor() throws InterruptedException {
        Item a = new Item(1);
        Item b = new Item(2);
        Item c = new Item(3);
        // Delays 400 ms apart, so that a thread slowed down between two calls does not change the order.
        queue.arm(c, 300, TimeUnit.MILLISECONDS.toNanos(900));
        queue.arm(a, 100, TimeUnit.MILLISECONDS.toNanos(100));
        queue.arm(b, 200, TimeUnit.MILLISECONDS.toNanos(500));
        awaitFired(3);
        assertThat(fired).containsExactly("1@100", "2@200", "3@300");
        assertThat(queue.armed()).isZero();
        assertThat(queue.size()).isZero();
    }

    @Test
    void reArmingReplacesTheDeadlineAndDisarmingCancelsIt() throws InterruptedException {
        Item a = new Item(1);
        Item b = new Item(2);
        queue.arm(a, 1, TimeUnit.MILLISECONDS.toNanos(50));
        queue.arm(a, 2, TimeUnit.MILLISECONDS.toNanos(150));
        queue.arm(a, 2, TimeUnit.MILLISECONDS.toNanos(10));
        queue.arm(b, 3, TimeUnit.MILLISECONDS.toNanos(60));
        queue.disarm(b);
        Item marker = new Item(9);
        queue.arm(marker, 4, TimeUnit.MILLISECONDS.toNanos(1_000));
        awaitFired(2);
        assertThat(fired).containsExactly("1@2", "9@4");
    }

    @Test
    void staleEntriesAreDroppedOnceTheyOutnumberTheArmedOnes() throws InterruptedException {
        Item a = new Item(1);
        for (int i = 1; i <= 5_000; i++) {
            queue.arm(a, i, TimeUnit.HOURS.toNanos(1) + i);
        }
        assertThat(queue.armed()).isEqualTo(1);
        assertThat(queue.size()).isLessThanOrEqualTo(1_027);
        queue.arm(a, 0, 0);
        awaitFired(1);
        Thread.sleep(50);
        assertThat(fired).containsExactly("1@0");
    }
}
