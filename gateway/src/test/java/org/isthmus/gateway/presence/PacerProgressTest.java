package org.isthmus.gateway.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The start-up progress of a large restore: the paced refreshes and probes after a restart are
 * reported every progress interval with their count, rate and time left, and the end of the run
 * once, rather than a silent start. Slow rate, short interval, so the run spans several intervals.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacerProgressTest {

    /** The lines logged, safe to read while the pacer's thread adds to them. */
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> log = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }
    };
    private final Logger logger = (Logger) LoggerFactory.getLogger(SubscriptionMirror.class);
    private ScheduledExecutorService timer;

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
        timer.shutdownNow();
    }

    @Test
    void aLongRestoreSaysHowFarItGotAndHowLongIsLeft() throws InterruptedException {
        SubscriptionMirror.Pacer pacer = new SubscriptionMirror.Pacer(50, timer, Duration.ofMillis(300));
        int tasks = 60;
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < tasks; i++) {
            pacer.pace(() -> {
                ran.incrementAndGet();
                done.countDown();
            });
        }
        // 60 at 50/s: about 1.2 s, so about three progress lines at 300 ms.
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        awaitLine("presence: restoring: done", Duration.ofSeconds(5));

        List<String> restoring = lines.stream().filter(m -> m.startsWith("presence: restoring:")).toList();
        List<String> progress = restoring.stream().filter(m -> m.contains("to go")).toList();
        assertThat(progress).hasSizeGreaterThanOrEqualTo(2).allSatisfy(m -> assertThat(m)
                .matches("presence: restoring: \\d+ paced sends done, \\d+ to go, [0-9]+\\.[0-9]/s, about \\d+ s left"));
        // The count grows and what is left shrinks from one line to the next.
        int firstDone = number(progress.get(0), " paced sends done");
        int lastDone = number(progress.get(progress.size() - 1), " paced sends done");
        assertThat(lastDone).isGreaterThan(firstDone);
        assertThat(number(progress.get(progress.size() - 1), " to go")).isLessThan(number(progress.get(0), " to go"));
        assertThat(restoring.get(restoring.size() - 1)).matches("presence: restoring: done, " + tasks
                + " paced sends in \\d+ s");
        assertThat(ran).hasValue(tasks);
    }

    @Test
    void aShortRunSaysNothing() throws InterruptedException {
        SubscriptionMirror.Pacer pacer = new SubscriptionMirror.Pacer(1000, timer, Duration.ofSeconds(5));
        CountDownLatch done = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            pacer.pace(done::countDown);
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100);
        assertThat(lines).noneMatch(m -> m.startsWith("presence: restoring:"));
    }

    private void awaitLine(String start, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (lines.stream().noneMatch(m -> m.startsWith(start))) {
            assertThat(System.nanoTime()).as("a line starting '%s' within %s", start, wait).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The number just before {@code after} in a progress line. */
    private static int number(String line, String after) {
        String head = line.substring(0, line.indexOf(after));
        return Integer.parseInt(head.substring(head.lastIndexOf(' ') + 1));
    }
}
