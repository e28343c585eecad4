package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Survives kill -9" (issue 6): a child JVM writes, the test kills it with SIGKILL right after a put
 * was acknowledged, and every acknowledged write is in the store when it is opened again.
 */
class EmbeddedStoreCrashTest {

    private static final int ACKS_BEFORE_KILL = 300;

    @TempDir
    Path directory;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        for (int round = 1; round <= 2; round++) {
            long lastAcked = writeThenKill();
            try (EmbeddedStore store = EmbeddedStore.open(directory)) {
                for (long n = 0; n <= lastAcked; n++) {
                    assertThat(store.get(StoreKey.of("crash", "key-" + n)).toCompletableFuture().join())
                            .as("round %d: key-%d was acknowledged before the kill", round, n)
                            .hasValueSatisfying(entry -> assertThat(entry.text()).startsWith("value-"));
                }
            }
        }
    }

    /** Runs the child until it has acknowledged enough puts, kills it at once; the last N it acknowledged. */
    private long writeThenKill() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedStoreChild.class.getName(), directory.toString())
                .redirectErrorStream(true)
                .start();
        long lastAcked = -1;
        StringBuilder other = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("acked ")) {
                    lastAcked = Long.parseLong(line.substring("acked ".length()));
                    if (lastAcked == ACKS_BEFORE_KILL) {
                        // SIGKILL; it also closes our end of the pipe, so nothing more is read.
                        child.destroyForcibly();
                        break;
                    }
                } else if (other.length() < 4_000) {
                    other.append(line).append('\n');
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastAcked).as("the child wrote; its other output:\n%s", other).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        return lastAcked;
    }
}
