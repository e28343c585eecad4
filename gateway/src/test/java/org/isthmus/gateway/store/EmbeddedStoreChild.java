package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link EmbeddedStoreCrashTest}: writes {@code key-N = value-N} for N = 0, 1, 2, …
 * into the store in the directory given as its argument, and prints {@code acked N} once each put has
 * completed, until it is killed.
 */
public final class EmbeddedStoreChild {

    private EmbeddedStoreChild() {
    }

    public static void main(String[] args) {
        EmbeddedStore store = EmbeddedStore.open(Path.of(args[0]));
        for (long n = 0; ; n++) {
            store.put(StoreKey.of("crash", "key-" + n), ("value-" + n).getBytes(StandardCharsets.UTF_8))
                    .toCompletableFuture().join();
            System.out.println("acked " + n);
            System.out.flush();
        }
    }
}
