package org.isthmus.gateway.presence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clock for many slots (issue 7, memory per mirrored subscription): each slot has at most one armed
 * deadline, kept in a binary heap of three parallel arrays (24 bytes an entry), and the scheduler holds
 * a single task, for the earliest entry, instead of one task with its captured state per slot and timer.
 * Re-arming a slot leaves its old entry in the heap, skipped when it comes up; the heap is rebuilt
 * without such entries once they outnumber the armed ones.
 *
 * <p>Thread-safe; the fire callback runs on the scheduler's thread, outside the queue's lock.
 *
 * @param <T> the slots
 */
final class DeadlineQueue<T extends DeadlineQueue.Slot> {

    /** A deadline nothing is armed for. */
    static final long NONE = Long.MIN_VALUE;

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineQueue.class);

    /** What the queue keeps in each slot: the deadline it is armed for; read and written under the queue's lock. */
    static class Slot {
        long armed = NONE;
    }

    private final ScheduledExecutorService timer;
    private final ObjLongConsumer<T> fire;

    // Guarded by this.
    private long[] fireAt = new long[64];
    private long[] deadlines = new long[64];
    private Object[] slots = new Object[64];
    private int size;
    private int armedCount;
    private ScheduledFuture<?> next;
    private long nextAt;

    /**
     * @param timer where the single task runs
     * @param fire  called with a slot and the deadline it was armed for, once that deadline's delay is over
     */
    DeadlineQueue(ScheduledExecutorService timer, ObjLongConsumer<T> fire) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.fire = Objects.requireNonNull(fire, "fire");
    }

    /**
     * Arms {@code slot} for {@code deadline}, to fire {@code delayNanos} from now, replacing what it was
     * armed for; nothing changes when it is armed for that deadline already. {@link #NONE} disarms it.
     */
    synchronized void arm(T slot, long deadline, long delayNanos) {
        if (slot.armed == deadline) {
            return;
        }
        if (slot.armed == NONE) {
            armedCount++;
        } else if (deadline == NONE) {
            armedCount--;
        }
        slot.armed = deadline;
        if (deadline == NONE) {
            return;
        }
        if (size > 2 * armedCount + 1024) {
            compact();
        }
        long at = System.nanoTime() + Math.max(0, delayNanos);
        push(at, deadline, slot);
        if (next == null || at - nextAt < 0) {
            reschedule();
        }
    }

    /** Disarms {@code slot}. */
    void disarm(T slot) {
        arm(slot, NONE, 0);
    }

    /** Entries in the heap, stale ones included; for tests. */
    synchronized int size() {
        return size;
    }

    /** Slots armed; for tests. */
    synchronized int armed() {
        return armedCount;
    }

    private void run() {
        List<Object> due = new ArrayList<>();
        List<Long> dueDeadlines = new ArrayList<>();
        synchronized (this) {
            next = null;
            long now = System.nanoTime();
            while (size > 0 && fireAt[0] - now <= 0) {
                @SuppressWarnings("unchecked")
                T slot = (T) slots[0];
                long deadline = deadlines[0];
                pop();
                if (slot.armed == deadline) {
                    slot.armed = NONE;
                    armedCount--;
                    due.add(slot);
                    dueDeadlines.add(deadline);
                }
            }
            if (size > 0) {
                reschedule();
            }
        }
        for (int i = 0; i < due.size(); i++) {
            @SuppressWarnings("unchecked")
            T slot = (T) due.get(i);
            try {
                fire.accept(slot, dueDeadlines.get(i));
            } catch (RuntimeException e) {
                LOG.warn("presence: a timer failed: {}", e.toString());
            }
        }
    }

    /** Guarded by this: the single task, for the heap's first entry. */
    private void reschedule() {
        if (next != null) {
            next.cancel(false);
        }
        nextAt = fireAt[0];
        try {
            next = timer.schedule(this::run, Math.max(0, nextAt - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The gateway is stopping: no timer runs any more, as with a task per timer.
            next = null;
            LOG.debug("presence: timer stopped, {} deadlines not kept", size);
        }
    }

    private void push(long at, long deadline, Object slot) {
        if (size == fireAt.length) {
            int n = size * 2;
            fireAt = Arrays.copyOf(fireAt, n);
            deadlines = Arrays.copyOf(deadlines, n);
            slots = Arrays.copyOf(slots, n);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (fireAt[parent] - at <= 0) {
                break;
            }
            set(i, parent);
            i = parent;
        }
        place(i, at, deadline, slot);
    }

    private void pop() {
        size--;
        long at = fireAt[size];
        long deadline = deadlines[size];
        Object slot = slots[size];
        slots[size] = null;
        if (size > 0) {
            siftDown(0, at, deadline, slot);
        }
    }

    private void siftDown(int from, long at, long deadline, Object slot) {
        int i = from;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && fireAt[right] - fireAt[child] < 0) {
                child = right;
            }
            if (at - fireAt[child] <= 0) {
                break;
            }
            set(i, child);
            i = child;
        }
        place(i, at, deadline, slot);
    }

    private void set(int to, int from) {
        place(to, fireAt[from], deadlines[from], slots[from]);
    }

    private void place(int i, long at, long deadline, Object slot) {
        fireAt[i] = at;
        deadlines[i] = deadline;
        slots[i] = slot;
    }

    /** Drops the entries of slots re-armed or disarmed since, then restores the heap order. */
    private void compact() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (((Slot) slots[i]).armed == deadlines[i]) {
                set(kept++, i);
            }
        }
        Arrays.fill(slots, kept, size, null);
        size = kept;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, fireAt[i], deadlines[i], slots[i]);
        }
        if (size > 0 && next != null && fireAt[0] != nextAt) {
            reschedule();
        }
    }
}
