package org.isthmus.gateway.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.h2.mvstore.type.StringDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link StateStore}: one H2 MVStore file in the gateway's data directory.
 *
 * <p><b>Durability.</b> All writes run on one writer thread. It takes every write queued so far (up to
 * {@value #DEFAULT_MAX_BATCH}), applies them in order, then commits the MVStore (the new chunk is
 * written to the file) and forces the file to the device ({@code FileChannel.force}, i.e. fsync), and
 * only then completes their stages: a completed write survives kill -9 and power loss alike. Writes
 * that queue up while one fsync runs share the next one (group commit), so throughput grows with
 * concurrency while each write still waits for its own fsync. Reads run on a reader thread and see the
 * latest applied state, which may include a write whose stage has not completed yet.
 *
 * <p><b>Concurrency.</b> Compare-and-set and counters are atomic because only the writer thread
 * mutates. One process opens a store at a time (the MVStore file lock); nodes that share state use
 * {@link RedisStore}.
 *
 * <p><b>Expiry.</b> Each value is stored with its expiry time (wall clock, milliseconds); reads treat
 * an expired value as absent, and the writer thread sweeps expired values out every sweep interval,
 * {@value #SWEEP_STEP} keys at a time between batches of writes.
 */
public final class EmbeddedStore implements StateStore {

    /** The store's file in the data directory. */
    public static final String FILE_NAME = "isthmus-state.mv.db";

    /** How often expired values are removed from the file (reads never see them in any case). */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** The most writes one commit and fsync covers. */
    public static final int DEFAULT_MAX_BATCH = 512;

    /** How long a freed chunk's space stays unused; see the constructor. */
    static final int RETENTION_MILLIS = 1_000;

    /** When idle, the file is compacted if less than this share of it (percent) is live. */
    static final int COMPACT_BELOW_FILL_RATE = 50;

    /** No write for this long, and the writer is idle enough to compact. */
    static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The longest an idle compaction keeps the writer thread (writes wait meanwhile). */
    static final int COMPACT_MILLIS = 500;

    /** Keys the sweep looks at between two batches of writes. */
    static final int SWEEP_STEP = 1_000;

    /** A scan page looks at no more than this many times its limit of keys (expired ones are skipped). */
    private static final int SCAN_WORK_FACTOR = 4;

    /** Bytes before the value: version and expiry (epoch millis, 0 for none). */
    private static final int HEADER = 16;

    private static final String VERSION_KEY = "version";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    private final Path file;
    private final Clock clock;
    private final long sweepIntervalMillis;
    private final int maxBatch;
    private final MVStore store;
    private final MVMap<String, byte[]> entries;
    private final MVMap<String, Long> meta;
    private final BlockingQueue<Write<?>> writes = new LinkedBlockingQueue<>();
    private final Write<Void> closeMarker = new Write<>(() -> null);
    private final ExecutorService readers;
    private final Thread writer;
    private final Object submitLock = new Object();
    private final AtomicBoolean released = new AtomicBoolean();

    /** Guarded by submitLock: no write is queued once set. */
    private boolean closed;

    // Owned by the writer thread.
    private long sequence;
    private boolean dirty;
    private long nextSweepAt;
    private String sweepAfter;
    private long lastBatchAt = System.nanoTime();

    EmbeddedStore(Path file, Duration sweepInterval, int maxBatch, Clock clock) {
        if (sweepInterval.isNegative() || sweepInterval.isZero() || maxBatch < 1) {
            throw new IllegalArgumentException("the sweep interval and the batch size must be positive");
        }
        this.file = file;
        this.clock = clock;
        this.sweepIntervalMillis = sweepInterval.toMillis();
        this.maxBatch = maxBatch;
        try {
            Files.createDirectories(file.getParent());
            this.store = new MVStore.Builder().fileName(file.toString()).open();
            // Every commit is forced to the device before the next one starts (commit()), so a chunk freed
            // a second ago is in no version a restart could read: its space may be written again. H2's
            // default, 45 s, kept every chunk of a busy minute, and a fill of 20,000 mirrored pairs grew
            // the file past 1 GB (issue 7). Not 0: with no retention at all H2 can reuse blocks that the
            // chunk map it writes on close still lists (h2database issues 2752, 4083).
            this.store.setRetentionTime(RETENTION_MILLIS);
        } catch (IOException | RuntimeException e) {
            throw new StoreException("cannot open the state store " + file, e);
        }
        this.entries = store.openMap("entries", new MVMap.Builder<String, byte[]>()
                .keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.meta = store.openMap("meta", new MVMap.Builder<String, Long>()
                .keyType(StringDataType.INSTANCE).valueType(LongDataType.INSTANCE));
        this.sequence = meta.getOrDefault(VERSION_KEY, 0L);
        this.nextSweepAt = clock.millis() + sweepIntervalMillis;
        AtomicInteger readerCount = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "isthmus-store-reader-" + readerCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.writer = new Thread(this::writeLoop, "isthmus-store-writer");
        this.writer.setDaemon(true);
        this.writer.start();
        LOG.info("state store opened: file={} entries={} version={}", file, entries.sizeAsLong(), sequence);
    }

    /** Opens (or creates) the store in {@code directory}, sweeping expired values every minute. */
    public static EmbeddedStore open(Path directory) {
        return open(directory, DEFAULT_SWEEP_INTERVAL);
    }

    /** Opens (or creates) the store in {@code directory}, sweeping expired values every {@code sweepInterval}. */
    public static EmbeddedStore open(Path directory, Duration sweepInterval) {
        return new EmbeddedStore(directory.resolve(FILE_NAME), sweepInterval, DEFAULT_MAX_BATCH, Clock.systemUTC());
    }

    /** The store's file. */
    public Path file() {
        return file;
    }

    /** Entries in the file, expired ones not yet swept included; for tests. */
    long storedCount() {
        return entries.sizeAsLong();
    }

    @Override
    public CompletionStage<Optional<StoreEntry>> get(StoreKey key) {
        String storageKey = storageKey(key);
        return read(() -> {
            Stored stored = live(entries.get(storageKey));
            return stored == null ? Optional.empty() : Optional.of(new StoreEntry(key, stored.value, stored.version));
        });
    }

    @Override
    public CompletionStage<Long> put(StoreKey key, byte[] value, Optional<Duration> ttl) {
        String storageKey = storageKey(key);
        byte[] copy = value.clone();
        long ttlMillis = ttlMillis(ttl);
        return write(() -> store(storageKey, copy, expiry(ttlMillis)));
    }

    @Override
    public CompletionStage<OptionalLong> putIfVersion(StoreKey key, long expectedVersion, byte[] value,
                                                      Optional<Duration> ttl) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("a version is never negative: " + expectedVersion);
        }
        String storageKey = storageKey(key);
        byte[] copy = value.clone();
        long ttlMillis = ttlMillis(ttl);
        return write(() -> {
            Stored current = live(entries.get(storageKey));
            long currentVersion = current == null ? ABSENT : current.version;
            return currentVersion == expectedVersion
                    ? OptionalLong.of(store(storageKey, copy, expiry(ttlMillis)))
                    : OptionalLong.empty();
        });
    }

    @Override
    public CompletionStage<Boolean> delete(StoreKey key) {
        String storageKey = storageKey(key);
        return write(() -> remove(storageKey, ABSENT));
    }

    @Override
    public CompletionStage<Boolean> deleteIfVersion(StoreKey key, long expectedVersion) {
        if (expectedVersion <= 0) {
            throw new IllegalArgumentException("the expected version of an entry is positive: " + expectedVersion);
        }
        String storageKey = storageKey(key);
        return write(() -> remove(storageKey, expectedVersion));
    }

    @Override
    public CompletionStage<Long> increment(StoreKey key, long delta) {
        String storageKey = storageKey(key);
        return write(() -> {
            Stored current = live(entries.get(storageKey));
            long sum;
            try {
                long base = current == null ? 0 : Long.parseLong(new String(current.value, StandardCharsets.US_ASCII));
                sum = Math.addExact(base, delta);
            } catch (NumberFormatException e) {
                throw new StoreException("the value at " + key + " is not a counter", e);
            } catch (ArithmeticException e) {
                throw new StoreException("the counter at " + key + " would overflow", e);
            }
            store(storageKey, Long.toString(sum).getBytes(StandardCharsets.US_ASCII),
                    current == null ? 0 : current.expiresAt);
            return sum;
        });
    }

    @Override
    public CompletionStage<StorePage> scan(String namespace, String prefix, Optional<String> cursor, int limit) {
        String base = StoreKey.checkNamespace(namespace) + ':';
        String from = base + StoreKey.checkPrefix(prefix);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        String start = cursor.map(after -> base + StoreKey.checkPrefix(after)).orElse(from);
        return read(() -> {
            List<StoreEntry> page = new ArrayList<>();
            int budget = limit * SCAN_WORK_FACTOR;
            Cursor<String, byte[]> keys = entries.cursor(start);
            while (keys.hasNext()) {
                String storageKey = keys.next();
                if (!storageKey.startsWith(from)) {
                    break;
                }
                if (cursor.isPresent() && storageKey.equals(start)) {
                    continue;
                }
                Stored stored = live(keys.getValue());
                if (stored != null) {
                    page.add(new StoreEntry(new StoreKey(namespace, storageKey.substring(base.length())),
                            stored.value, stored.version));
                }
                if (page.size() == limit || --budget == 0) {
                    return new StorePage(page, Optional.of(storageKey.substring(base.length())));
                }
            }
            return new StorePage(page, Optional.empty());
        });
    }

    @Override
    public void close() {
        synchronized (submitLock) {
            if (!closed) {
                closed = true;
                writes.add(closeMarker);
            }
        }
        if (!released.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        readers.shutdown();
        try {
            readers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.close();
        } catch (RuntimeException e) {
            LOG.warn("state store {} did not close cleanly: {}", file, e.toString());
        }
        LOG.info("state store closed: file={}", file);
    }

    // --- the writer thread

    private void writeLoop() {
        List<Write<?>> batch = new ArrayList<>();
        boolean closing = false;
        while (!closing) {
            Write<?> first;
            try {
                first = sweepAfter != null ? writes.poll()
                        : writes.poll(Math.max(0, nextSweepAt - clock.millis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            RuntimeException failure = null;
            if (first == null) {
                try {
                    sweepStep();
                    commit();
                    if (sweepAfter == null && System.nanoTime() - lastBatchAt >= IDLE_NANOS) {
                        compactIfSparse();
                    }
                } catch (RuntimeException e) {
                    failure = e;
                    closing = true;
                }
            } else {
                batch.add(first);
                writes.drainTo(batch, maxBatch - 1);
                lastBatchAt = System.nanoTime();
                for (Write<?> write : batch) {
                    if (write == closeMarker) {
                        closing = true;
                    } else {
                        write.apply();
                    }
                }
                try {
                    commit();
                } catch (RuntimeException e) {
                    failure = e;
                    closing = true;
                }
                for (Write<?> write : batch) {
                    write.finish(failure, file);
                }
                batch.clear();
            }
            if (failure != null) {
                LOG.error("state store {} failed to commit; it accepts no more writes: {}", file, failure.toString());
            }
        }
        synchronized (submitLock) {
            closed = true;
        }
        for (Write<?> left; (left = writes.poll()) != null; ) {
            left.finish(new StoreException("the state store " + file + " is closed"), file);
        }
    }

    /** Makes every applied write durable: commit (write the chunk) and fsync. */
    private void commit() {
        if (dirty) {
            meta.put(VERSION_KEY, sequence);
            store.commit();
            store.sync();
            dirty = false;
        }
    }

    /**
     * On an idle writer (no write for a second), at the end of a sweep: moves the live chunks together and truncates the file
     * when most of it is free space (space freed by rewrites is reused, but the file never shrinks by
     * itself). Bounded in time; what it moves is flushed and forced like any commit.
     */
    private void compactIfSparse() {
        int fill = store.getFillRate();
        if (fill >= COMPACT_BELOW_FILL_RATE) {
            return;
        }
        long before = fileSize();
        store.compactFile(COMPACT_MILLIS);
        store.sync();
        LOG.info("state store compacted: file={} {} -> {} bytes (it was {}% live)", file, before, fileSize(), fill);
    }

    private long fileSize() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private long store(String storageKey, byte[] value, long expiresAt) {
        long version = ++sequence;
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + value.length);
        buffer.putLong(version).putLong(expiresAt).put(value);
        entries.put(storageKey, buffer.array());
        dirty = true;
        return version;
    }

    /** Removes the entry if it is live and has the expected version ({@link #ABSENT}: any). */
    private boolean remove(String storageKey, long expectedVersion) {
        byte[] raw = entries.get(storageKey);
        Stored current = live(raw);
        if (raw != null && current == null) {
            entries.remove(storageKey);
            dirty = true;
        }
        if (current == null || (expectedVersion != ABSENT && current.version != expectedVersion)) {
            return false;
        }
        entries.remove(storageKey);
        dirty = true;
        return true;
    }

    private void sweepStep() {
        long now = clock.millis();
        Cursor<String, byte[]> keys = entries.cursor(sweepAfter == null ? "" : sweepAfter);
        List<String> expired = new ArrayList<>();
        String last = null;
        for (int seen = 0; seen < SWEEP_STEP && keys.hasNext(); ) {
            String storageKey = keys.next();
            if (storageKey.equals(sweepAfter)) {
                continue;
            }
            seen++;
            last = storageKey;
            long expiresAt = ByteBuffer.wrap(keys.getValue()).getLong(Long.BYTES);
            if (expiresAt != 0 && expiresAt <= now) {
                expired.add(storageKey);
            }
        }
        for (String storageKey : expired) {
            entries.remove(storageKey);
            dirty = true;
        }
        if (last == null || !keys.hasNext()) {
            sweepAfter = null;
            nextSweepAt = now + sweepIntervalMillis;
            if (!expired.isEmpty()) {
                LOG.debug("state store sweep removed {} expired entries", expired.size());
            }
        } else {
            sweepAfter = last;
        }
    }

    // --- helpers

    private <R> CompletionStage<R> write(Supplier<R> action) {
        Write<R> write = new Write<>(action);
        synchronized (submitLock) {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreException("the state store " + file + " is closed"));
            }
            writes.add(write);
        }
        return write.result;
    }

    private <R> CompletionStage<R> read(Supplier<R> action) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return action.get();
                } catch (StoreException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new StoreException("cannot read the state store " + file, e);
                }
            }, readers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new StoreException("the state store " + file + " is closed"));
        }
    }

    private long expiry(long ttlMillis) {
        return ttlMillis == 0 ? 0 : clock.millis() + ttlMillis;
    }

    /** The stored value, or null when there is none or it has expired. */
    private Stored live(byte[] raw) {
        if (raw == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        long version = buffer.getLong();
        long expiresAt = buffer.getLong();
        if (expiresAt != 0 && expiresAt <= clock.millis()) {
            return null;
        }
        byte[] value = new byte[raw.length - HEADER];
        buffer.get(value);
        return new Stored(version, expiresAt, value);
    }

    static long ttlMillis(Optional<Duration> ttl) {
        if (ttl.isEmpty()) {
            return 0;
        }
        long millis = ttl.get().toMillis();
        if (millis < 1) {
            throw new IllegalArgumentException("a time to live is at least 1 ms: " + ttl.get());
        }
        return millis;
    }

    private static String storageKey(StoreKey key) {
        return key.namespace() + ':' + key.name();
    }

    private record Stored(long version, long expiresAt, byte[] value) {
    }

    /** A write waiting for the writer thread: applied in a batch, completed after the batch's fsync. */
    private static final class Write<R> {
        private final Supplier<R> action;
        private final CompletableFuture<R> result = new CompletableFuture<>();
        private R value;
        private RuntimeException failure;

        Write(Supplier<R> action) {
            this.action = action;
        }

        void apply() {
            try {
                value = action.get();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        void finish(RuntimeException commitFailure, Path file) {
            if (commitFailure != null) {
                result.completeExceptionally(commitFailure instanceof StoreException
                        ? commitFailure : new StoreException("cannot write the state store " + file, commitFailure));
            } else if (failure != null) {
                result.completeExceptionally(failure instanceof StoreException
                        ? failure : new StoreException("cannot write the state store " + file, failure));
            } else {
                result.complete(value);
            }
        }
    }
}
