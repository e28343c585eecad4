package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

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
}
