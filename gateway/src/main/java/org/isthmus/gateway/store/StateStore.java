package org.isthmus.gateway.store;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The gateway's durable key/value store for its state records: presence-mirror entries, SIP
 * subscription dialogs, registrations (DESIGN.md "StateStore"; issue 6 "State stores").
 *
 * <p>Values are bytes under a {@link StoreKey}; records are turned into bytes by their own codecs
 * ({@link #records} wraps a {@link RecordCodec} around a namespace). Every value carries a version for
 * optimistic concurrency between nodes ({@link #putIfVersion}, {@link #deleteIfVersion}); counters are
 * values holding a decimal number that {@link #increment} changes atomically; a value may expire.
 *
 * <p><b>Asynchronous.</b> Every operation returns at once with a stage; no caller thread ever waits for
 * disk or network, because the gateway's lanes must not block on I/O (DESIGN.md "Performance"). Stages
 * complete on a thread of the store (its writer thread, or a Redis event loop): continue on your lane
 * with the {@code *Async(.., lane)} forms and never block inside a continuation that runs on the store.
 * Failures complete the stage exceptionally with a {@link StoreException}; invalid arguments throw
 * {@link IllegalArgumentException} at once.
 *
 * <p><b>Durability.</b> When a write's stage completes normally the write is durable as far as the
 * backend promises (see each implementation), so the wire acknowledgement goes after it: "writes that
 * matter are durable before they are acknowledged on the wire".
 *
 * <p><b>Expiry.</b> A write may give a time to live; once it has passed, the entry is absent for every
 * operation (its version too: a compare-and-set expecting {@link #ABSENT} then succeeds).
 */
public interface StateStore extends AutoCloseable {

    /** The version that stands for "no entry", for {@link #putIfVersion} as put-if-absent. */
    long ABSENT = 0;

    /** The largest page a scan returns. */
    int MAX_PAGE_SIZE = 10_000;

    /** The entry under {@code key}, or empty when there is none (or it expired). */
    CompletionStage<Optional<StoreEntry>> get(StoreKey key);

    /**
     * Stores {@code value} under {@code key}, replacing any entry, with an expiry after {@code ttl} or
     * none; completes with the new version once the write is durable.
     */
    CompletionStage<Long> put(StoreKey key, byte[] value, Optional<Duration> ttl);

    /** {@link #put(StoreKey, byte[], Optional)} with no expiry. */
    default CompletionStage<Long> put(StoreKey key, byte[] value) {
        return put(key, value, Optional.empty());
    }

    /**
     * Stores {@code value} only if the current version of {@code key} is {@code expectedVersion}
     * ({@link #ABSENT}: only if there is no entry); completes with the new version, or empty (and
     * nothing written) when the version differed. The check and the write are one atomic step.
     */
    CompletionStage<OptionalLong> putIfVersion(StoreKey key, long expectedVersion, byte[] value,
                                               Optional<Duration> ttl);

    /** Removes the entry; completes with whether there was one. */
    CompletionStage<Boolean> delete(StoreKey key);

    /**
     * Removes the entry only if its version is {@code expectedVersion} (positive); completes with
     * whether it was removed.
     */
    CompletionStage<Boolean> deleteIfVersion(StoreKey key, long expectedVersion);

    /**
     * Adds {@code delta} to the counter under {@code key} atomically, creating it at 0 first if absent,
     * and completes with the new value. A counter is an entry whose value is a decimal number in ASCII
     * ({@link StoreEntry#text()} reads it); it keeps its expiry, if any, and gets a new version. Fails
     * with {@link StoreException} when the value is not such a number or the sum overflows a long.
     */
    CompletionStage<Long> increment(StoreKey key, long delta);

    /**
     * One page of the entries of {@code namespace} whose names start with {@code prefix} (empty: all).
     *
     * <p>Pass an empty cursor for the first page and {@link StorePage#next()} for the following ones. A
     * page holds at most {@code limit} entries and bounded work, and may hold fewer, even none, before
     * the scan ends. Every entry present during the whole scan is returned at least once; an entry
     * written or removed during the scan may or may not be; a backend may return an entry twice
     * (Redis SCAN does), so consumers must be idempotent. Order is unspecified.
     *
     * @param limit 1 to {@link #MAX_PAGE_SIZE}
     */
    CompletionStage<StorePage> scan(String namespace, String prefix, Optional<String> cursor, int limit);

    /**
     * Scans every page in turn, handing each to {@code onPage} and asking for the next page only once
     * the stage that {@code onPage} returned has completed, so the consumer sets the pace (restoring
     * 100,000 subscriptions at a configured rate, issue 6). Completes with the number of entries handed
     * over, or exceptionally with the first failure of a scan or of {@code onPage}.
     */
    default CompletionStage<Long> scanAll(String namespace, String prefix, int pageSize,
                                          Function<StorePage, ? extends CompletionStage<?>> onPage) {
        return new PagedScan(this, namespace, prefix, pageSize, onPage).start();
    }

    /** A typed view of one namespace whose values {@code codec} reads and writes. */
    default <T> RecordStore<T> records(String namespace, RecordCodec<T> codec) {
        return new RecordStore<>(this, namespace, codec);
    }

    /**
     * Finishes the writes already accepted, then releases the backend (file, connection). Operations
     * started afterwards fail with {@link StoreException}. Blocks: call it at shutdown, not on a lane.
     */
    @Override
    void close();
}
