package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link StateStore} contract on {@link EmbeddedStore}, and what only a local file store does. */
class EmbeddedStoreTest extends StateStoreContract {

    @TempDir
    Path directory;

    @Override
    protected StateStore openEmpty() {
        return EmbeddedStore.open(directory);
    }

    @Override
    protected StateStore reopen() {
        return EmbeddedStore.open(directory);
    }

    @Test
    void theStoreIsOneFileInTheDataDirectory() {
        join(store.put(key("k"), utf8("v")));
        assertThat(((EmbeddedStore) store).file()).isEqualTo(directory.resolve(EmbeddedStore.FILE_NAME));
        assertThat(Files.isRegularFile(directory.resolve(EmbeddedStore.FILE_NAME))).isTrue();
    }

    @Test
    void aMissingDataDirectoryIsCreated() {
        Path nested = directory.resolve("a/b");
        try (EmbeddedStore other = EmbeddedStore.open(nested)) {
            join(other.put(key("k"), utf8("v")));
        }
        assertThat(Files.isRegularFile(nested.resolve(EmbeddedStore.FILE_NAME))).isTrue();
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> EmbeddedStore.open(directory)).isInstanceOf(StoreException.class);
        join(store.put(key("k"), utf8("still works")));
    }

    @Test
    void theSweepRemovesExpiredEntriesFromTheFile() {
        store.close();
        EmbeddedStore sweeping = EmbeddedStore.open(directory, Duration.ofMillis(50));
        store = sweeping;
        for (int i = 0; i < 2_500; i++) {
            sweeping.put(key("brief" + i), utf8("v"), Optional.of(Duration.ofMillis(20)));
        }
        join(sweeping.put(key("lasting"), utf8("v")));
        Instant deadline = Instant.now().plusSeconds(10);
        while (sweeping.storedCount() > 1) {
            assertThat(Instant.now()).as("the sweep removes 2,500 expired entries").isBefore(deadline);
            sleep(20);
        }
        assertThat(join(sweeping.get(key("lasting")))).isPresent();
    }

    @Test
    void aFillOfRewritesLeavesAFileOfAFewTimesTheLiveDataOnceIdle() throws Exception {
        store.close();
        EmbeddedStore busy = EmbeddedStore.open(directory, Duration.ofMillis(200));
        store = busy;
        byte[] value = new byte[1_000];
        int keys = 2_000;
        int rounds = 10;
        long live = (long) keys * value.length;
        List<CompletableFuture<Long>> inFlight = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < keys; i++) {
                value[0] = (byte) round;
                inFlight.add(busy.put(key("pair" + i), value.clone()).toCompletableFuture());
                if (inFlight.size() == 8) {
                    inFlight.forEach(StateStoreContract::join);
                    inFlight.clear();
                }
            }
        }
        inFlight.forEach(StateStoreContract::join);
        // Each commit rewrites a leaf page of about 16 KB: without reuse and compaction the file would
        // hold some 20,000 of them (H2's default retention kept every chunk of the last 45 s).
        Instant deadline = Instant.now().plusSeconds(20);
        while (Files.size(busy.file()) > 8 * live && Instant.now().isBefore(deadline)) {
            sleep(50);
        }
        assertThat(Files.size(busy.file())).as("file once idle, %d bytes live", live).isLessThanOrEqualTo(8 * live);
        assertThat(join(busy.get(key("pair7"))).orElseThrow().value()[0]).isEqualTo((byte) (rounds - 1));
    }
}
