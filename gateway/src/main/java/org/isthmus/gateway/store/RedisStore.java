package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on Redis (Lettuce), shared by every node of a deployment: on a single server
 * ({@link #connect}) or on a Redis Cluster ({@link #connectCluster}). Both run the same logic on the
 * same layout; only the connection differs ({@link RedisBackend}).
 *
 * <p><b>Layout</b> ({@link RedisKeys}). An entry is a hash at {@code {namespace:name}} with fields
 * {@code v} (version) and {@code d} (the value). The braces make the whole key a Redis Cluster hash tag,
 * so entries spread over every master; each entry draws its versions from the counter of its own hash
 * slot, so versions never repeat for a key even across delete and re-create.
 *
 * <p><b>Atomicity.</b> Compare-and-set, conditional delete and counters are Lua scripts (EVALSHA, EVAL
 * when a server lost its script cache) over one entry and its slot's counter, two keys of one slot, as
 * a cluster requires; every other command names one key. Expiry is Redis's own PEXPIRE.
 *
 * <p><b>Scans</b> are SCAN MATCH with COUNT, a few rounds per page, with values read by pipelined HMGET.
 * SCAN walks one node, so on a cluster a scan visits every master in turn and tracks the hash slots it
 * has covered ({@link RedisScan}): a failover or a resharding during a scan yields duplicates, never a
 * missed entry.
 *
 * <p><b>Durability</b> is the servers'. A stage completes when the master of the key has answered, and
 * a master answers a write after its append-only file has it on disk only with {@code appendonly yes}
 * and {@code appendfsync always}; on a cluster every master needs both. {@link #connect} and
 * {@link #connectCluster} read those settings from every master and log a warning naming each one that
 * would acknowledge writes not yet on its disk; {@link #fsyncsEveryWrite()} tells whether all of them
 * fsync. Replication is asynchronous and the store does not WAIT for replicas: when a cluster fails
 * over to a replica, the writes its old master acknowledged in the moment before it failed may be
 * missing from the new one. Redis's {@code min-replicas-to-write} narrows that window; a restart of the
 * same master (no failover) loses nothing it acknowledged.
 */
public final class RedisStore implements StateStore {

    /** How long a command may take before its stage fails. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** SCAN calls (and topology checks) one page makes at most: a sparse namespace yields short pages. */
    static final int MAX_SCAN_ROUNDS = 8;

    /** Keys are UTF-8 text, values bytes. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** How long closing the client may take. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

    private static final byte[] EMPTY = new byte[0];

    /**
     * KEYS: entry, version counter. ARGV: expected version ('' for none), value, ttl in ms ('0' for none).
     * Returns the new version, or -1 when the expected version did not match. (Versions are Lua numbers
     * here, exact below 2^53 and printed in plain digits below 10^14: far beyond any real count of writes.)
     */
    private static final String PUT = """
            if ARGV[1] ~= '' and (redis.call('HGET', KEYS[1], 'v') or '0') ~= ARGV[1] then
              return -1
            end
            local version = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], 'v', version, 'd', ARGV[2])
            if ARGV[3] ~= '0' then
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
            else
              redis.call('PERSIST', KEYS[1])
            end
            return version
            """;

    /** KEYS: entry. ARGV: expected version. Returns 1 if removed. */
    private static final String DELETE_IF_VERSION = """
            if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    /**
     * KEYS: entry, version counter. ARGV: delta. Returns the new value as text: HINCRBY counts in 64 bits,
     * but a Lua number would round above 2^53.
     */
    private static final String INCREMENT = """
            redis.call('HINCRBY', KEYS[1], 'd', ARGV[1])
            redis.call('HSET', KEYS[1], 'v', redis.call('INCR', KEYS[2]))
            return redis.call('HGET', KEYS[1], 'd')
            """;

    private final RedisBackend backend;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final boolean fsyncsEveryWrite;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, String> digests = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RedisStore(RedisBackend backend) {
        this.backend = backend;
        this.commands = backend.commands();
        this.fsyncsEveryWrite = checkPersistence();
    }

    /** Connects to the Redis server at {@code uri} ({@code redis://host:port/db}, or {@code rediss://}). */
    public static RedisStore connect(String uri) {
        return connect(uri, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * Connects to the Redis server at {@code uri}, failing commands after {@code commandTimeout}. Blocks
     * until connected (at start-up); the connection then reconnects by itself, and commands issued while
     * it is down wait for it up to their timeout.
     */
    public static RedisStore connect(String uri, Duration commandTimeout) {
        return new RedisStore(StandaloneRedis.connect(redisUri(uri, commandTimeout), commandTimeout));
    }

    /**
     * Connects to the Redis Cluster that {@code seeds} belong to ({@code redis://host:port} or
     * {@code rediss://}, database 0, the only one a cluster has); the first seed that answers tells the
     * rest of the cluster.
     */
    public static RedisStore connectCluster(List<String> seeds) {
        return connectCluster(seeds, DEFAULT_COMMAND_TIMEOUT);
    }

    /**
     * Connects to a Redis Cluster as {@link #connectCluster(List)} does, failing commands after
     * {@code commandTimeout}. Blocks until connected; the client then follows failovers and reshardings
     * (redirections, periodic and triggered topology refreshes) and reconnects by itself.
     */
    public static RedisStore connectCluster(List<String> seeds, Duration commandTimeout) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("a Redis Cluster needs at least one seed node");
        }
        List<RedisURI> uris = new ArrayList<>(seeds.size());
        for (String seed : seeds) {
            RedisURI uri = redisUri(seed, commandTimeout);
            if (uri.getDatabase() != 0) {
                throw new IllegalArgumentException("a Redis Cluster has only database 0: " + seed);
            }
            uris.add(uri);
        }
        return new RedisStore(ClusterRedis.connect(uris, commandTimeout));
    }

    /** True when every master's configuration fsyncs its append-only file before it answers a write. */
    public boolean fsyncsEveryWrite() {
        return fsyncsEveryWrite;
    }

    @Override
    public CompletionStage<Optional<StoreEntry>> get(StoreKey key) {
        return call(key, () -> commands.hmget(RedisKeys.entry(key), "v", "d")).thenApply(fields -> entry(key, fields));
    }

    @Override
    public CompletionStage<Long> put(StoreKey key, byte[] value, Optional<Duration> ttl) {
        return put(key, "", value, ttl);
    }

    @Override
    public CompletionStage<OptionalLong> putIfVersion(StoreKey key, long expectedVersion, byte[] value,
                                                      Optional<Duration> ttl) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("a version is never negative: " + expectedVersion);
        }
        return put(key, Long.toString(expectedVersion), value, ttl)
                .thenApply(version -> version < 0 ? OptionalLong.empty() : OptionalLong.of(version));
    }

    @Override
    public CompletionStage<Boolean> delete(StoreKey key) {
        return call(key, () -> commands.del(RedisKeys.entry(key))).thenApply(removed -> removed > 0);
    }

    @Override
    public CompletionStage<Boolean> deleteIfVersion(StoreKey key, long expectedVersion) {
        if (expectedVersion <= 0) {
            throw new IllegalArgumentException("the expected version of an entry is positive: " + expectedVersion);
        }
        return this.<Long>script(key, DELETE_IF_VERSION, ScriptOutputType.INTEGER, new String[] {RedisKeys.entry(key)},
                ascii(Long.toString(expectedVersion))).thenApply(removed -> removed > 0);
    }

    @Override
    public CompletionStage<Long> increment(StoreKey key, long delta) {
        return this.<byte[]>script(key, INCREMENT, ScriptOutputType.VALUE, entryAndCounter(key),
                        ascii(Long.toString(delta)))
                .thenApply(value -> Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
    }

    @Override
    public CompletionStage<StorePage> scan(String namespace, String prefix, Optional<String> cursor, int limit) {
        StoreKey.checkNamespace(namespace);
        StoreKey.checkPrefix(prefix);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        RedisScan state = cursor.map(RedisScan::parse).orElseGet(RedisScan::start);
        ScanArgs args = ScanArgs.Builder.matches(RedisKeys.pattern(namespace, prefix)).limit(limit);
        List<String> names = new ArrayList<>(limit);
        return collect(namespace, args, state, names, limit, MAX_SCAN_ROUNDS)
                .thenCompose(ignored -> fetch(namespace, names))
                .thenApply(entries -> new StorePage(entries, state.next()));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(DEFAULT_COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            // Each failure or timeout was reported to the caller of that operation.
        }
        backend.close();
        LOG.info("state store closed: {}", backend.description());
    }

    @Override
    public String toString() {
        return "RedisStore[" + backend.description() + "]";
    }

    // --- operations

    private CompletableFuture<Long> put(StoreKey key, String expected, byte[] value, Optional<Duration> ttl) {
        long ttlMillis = EmbeddedStore.ttlMillis(ttl);
        return script(key, PUT, ScriptOutputType.INTEGER, entryAndCounter(key),
                ascii(expected), value.clone(), ascii(Long.toString(ttlMillis)));
    }

    /** The keys of a script that writes an entry: the entry and the version counter of its slot. */
    private static String[] entryAndCounter(StoreKey key) {
        String entry = RedisKeys.entry(key);
        return new String[] {entry, RedisKeys.versionCounter(entry)};
    }

    /**
     * Scans until the page is full, every slot is covered, or the rounds are used up; names overflow into
     * the state. Each round is one step on one master: begin it, SCAN it once, or give it up.
     */
    private CompletableFuture<Void> collect(String namespace, ScanArgs args, RedisScan state, List<String> names,
                                            int limit, int rounds) {
        state.drainInto(names, limit);
        if (names.size() == limit || state.scanned() || rounds == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return step(namespace, args, state)
                .thenCompose(ignored -> collect(namespace, args, state, names, limit, rounds - 1));
    }

    private CompletableFuture<Void> step(String namespace, ScanArgs args, RedisScan state) {
        List<RedisBackend.Master> masters = backend.masters();
        if (state.master().isEmpty()) {
            Optional<RedisBackend.Master> next = masters.stream()
                    .filter(m -> m.slots().intersects(state.uncovered()))
                    .min(Comparator.comparing(RedisBackend.Master::id));
            if (next.isEmpty()) {
                // No master serves the slots left, so no key can be there (a failed master keeps its slots).
                state.coverRest();
                return CompletableFuture.completedFuture(null);
            }
            String id = next.get().id();
            return call(null, () -> backend.served(id)).thenCompose(served -> {
                SlotSet slots = served.and(state.uncovered());
                if (slots.isEmpty()) {
                    // The client's view of the slots is behind the master's own account.
                    return call(null, backend::refresh);
                }
                state.begin(id, slots);
                return CompletableFuture.completedFuture(null);
            });
        }
        String id = state.master().get();
        if (masters.stream().noneMatch(m -> m.id().equals(id))) {
            state.drop();
            return CompletableFuture.completedFuture(null);
        }
        return call(null, () -> backend.on(id).thenCompose(node ->
                        node.scan(ScanCursor.of(state.cursor()), args).toCompletableFuture()))
                .thenCompose(found -> {
                    List<String> foundNames = new ArrayList<>(found.getKeys().size());
                    for (String redisKey : found.getKeys()) {
                        RedisKeys.name(namespace, redisKey).ifPresent(foundNames::add);
                    }
                    state.found(foundNames, found.getCursor());
                    if (!found.isFinished()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return call(null, () -> backend.served(id)).thenAccept(state::end);
                });
    }

    private CompletableFuture<List<StoreEntry>> fetch(String namespace, List<String> names) {
        List<CompletableFuture<Optional<StoreEntry>>> reads = new ArrayList<>(names.size());
        for (String name : names) {
            reads.add(get(new StoreKey(namespace, name)).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<StoreEntry> entries = new ArrayList<>(reads.size());
            for (CompletableFuture<Optional<StoreEntry>> read : reads) {
                read.join().ifPresent(entries::add);
            }
            return entries;
        });
    }

    private static Optional<StoreEntry> entry(StoreKey key, List<KeyValue<String, byte[]>> fields) {
        KeyValue<String, byte[]> version = fields.get(0);
        KeyValue<String, byte[]> data = fields.get(1);
        if (!version.hasValue() && !data.hasValue()) {
            return Optional.empty();
        }
        if (!version.hasValue() || !data.hasValue()) {
            throw new StoreException("the Redis hash at " + key + " is not a state store entry");
        }
        return Optional.of(new StoreEntry(key, data.getValue(),
                Long.parseLong(new String(version.getValue(), StandardCharsets.US_ASCII))));
    }

    // --- plumbing

    /** Runs a script by its digest, and by its text when the server does not have it (after a restart). */
    private <T> CompletableFuture<T> script(StoreKey key, String script, ScriptOutputType type, String[] keys,
                                            byte[]... args) {
        String digest = digests.computeIfAbsent(script, commands::digest);
        return call(key, () -> commands.<T>evalsha(digest, type, keys, args))
                .handle((result, failure) -> failure == null ? CompletableFuture.completedFuture(result)
                        : noScript(failure) ? call(key, () -> commands.<T>eval(script, type, keys, args))
                        : CompletableFuture.<T>failedFuture(failure))
                .thenCompose(stage -> stage);
    }

    private static boolean noScript(Throwable failure) {
        for (Throwable at = failure; at != null; at = at.getCause()) {
            if (at instanceof RedisNoScriptException) {
                return true;
            }
        }
        return false;
    }

    /** Issues a command, tracking it until it completes, with failures as {@link StoreException}. */
    private <T> CompletableFuture<T> call(StoreKey key, Supplier<? extends CompletionStage<T>> command) {
        if (closed) {
            return CompletableFuture.failedFuture(new StoreException("the state store " + this + " is closed"));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        inFlight.add(result);
        result.whenComplete((ignored, failure) -> inFlight.remove(result));
        try {
            command.get().whenComplete((value, failure) -> {
                if (failure == null) {
                    result.complete(value);
                } else {
                    result.completeExceptionally(wrap(key, failure));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(wrap(key, e));
        }
        return result;
    }

    private StoreException wrap(StoreKey key, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof StoreException store) {
            return store;
        }
        return new StoreException("Redis " + backend.description() + " failed" + (key == null ? "" : " at " + key)
                + ": " + cause.getMessage(), cause);
    }

    /** Reads every master's persistence settings and says, once, what an acknowledged write is worth. */
    private boolean checkPersistence() {
        Map<String, Map<String, String>> masters = backend.persistence();
        List<String> unsafe = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> master : masters.entrySet()) {
            Map<String, String> config = master.getValue();
            if (!("yes".equals(config.get("appendonly")) && "always".equals(config.get("appendfsync")))) {
                unsafe.add(master.getKey() + (config.isEmpty() ? " (settings unreadable)"
                        : " (appendonly " + config.get("appendonly") + ", appendfsync " + config.get("appendfsync") + ")"));
            }
        }
        if (unsafe.isEmpty()) {
            LOG.info("state store opened: {} masters={} appendfsync=always on every master", backend.description(),
                    masters.size());
        } else {
            LOG.warn("state store opened: {} masters={}: acknowledged writes may not be on disk yet, a crash can"
                    + " lose them; needs appendonly yes and appendfsync always: {}", backend.description(),
                    masters.size(), String.join(", ", unsafe));
        }
        int replicas = backend.replicas();
        if (replicas > 0) {
            LOG.info("state store: {} replicas follow asynchronously; a failover may lose the writes its master"
                    + " acknowledged just before it failed", replicas);
        }
        return unsafe.isEmpty() && !masters.isEmpty();
    }

    /** A server's {@code appendonly} and {@code appendfsync}, or an empty map when it will not tell. */
    static Map<String, String> persistenceOf(RedisServerCommands<String, byte[]> server) {
        try {
            return server.configGet("appendonly", "appendfsync");
        } catch (RuntimeException e) {
            LOG.warn("cannot read a Redis server's persistence settings: {}", e.getMessage());
            return Map.of();
        }
    }

    private static RedisURI redisUri(String uri, Duration commandTimeout) {
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI: " + uri, e);
        }
        redisUri.setTimeout(commandTimeout);
        return redisUri;
    }

    private static byte[] ascii(String text) {
        return text.isEmpty() ? EMPTY : text.getBytes(StandardCharsets.US_ASCII);
    }
}
