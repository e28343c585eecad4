package org.isthmus.gateway.store;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * {@link StateStore#scanAll}: one page at a time, the next asked for only when the consumer is done
 * with the previous one. Pages that complete at once are handled in a loop rather than by recursion, so
 * a scan of many pages cannot overflow the stack.
 */
final class PagedScan {

    private final StateStore store;
    private final String namespace;
    private final String prefix;
    private final int pageSize;
    private final Function<StorePage, ? extends CompletionStage<?>> onPage;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private long handed;

    PagedScan(StateStore store, String namespace, String prefix, int pageSize,
              Function<StorePage, ? extends CompletionStage<?>> onPage) {
        this.store = store;
        this.namespace = namespace;
        this.prefix = prefix;
        this.pageSize = pageSize;
        this.onPage = onPage;
    }

    CompletionStage<Long> start() {
        run(Optional.empty());
        return done;
    }

    private void run(Optional<String> first) {
        Optional<String> cursor = first;
        while (true) {
            CompletableFuture<StorePage> step;
            try {
                step = store.scan(namespace, prefix, cursor, pageSize)
                        .thenCompose(page -> onPage.apply(page).thenApply(ignored -> page))
                        .toCompletableFuture();
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return;
            }
            if (!step.isDone()) {
                step.whenComplete((page, failure) -> {
                    Optional<String> next = after(page, failure);
                    if (next.isPresent()) {
                        run(next);
                    }
                });
                return;
            }
            StorePage page = null;
            Throwable failure = null;
            try {
                page = step.join();
            } catch (RuntimeException e) {
                failure = e.getCause() != null ? e.getCause() : e;
            }
            cursor = after(page, failure);
            if (cursor.isEmpty()) {
                return;
            }
        }
    }

    /** Counts a finished page; the cursor to go on with, or empty once {@link #done} is completed. */
    private Optional<String> after(StorePage page, Throwable failure) {
        if (failure != null) {
            done.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
            return Optional.empty();
        }
        handed += page.entries().size();
        if (page.isLast()) {
            done.complete(handed);
        }
        return page.next();
    }
}
