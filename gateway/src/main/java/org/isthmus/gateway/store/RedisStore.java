package org.isthmus.gateway.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on a Redis server (Lettuce, one multiplexed connection), shared by every node
 * of a deployment.
 *
 * <p><b>Layout.</b> An entry is a hash at {@code {namespace}:name} with fields {@code v} (version) and
 * {@code d} (the value); versions come from the counter at {@code {namespace}#version}, so they never
 * repeat for a key even across delete and re-create. The braces are a Redis Cluster hash tag: all keys of
 * a namespace share one slot, so each Lua script touches one slot and a namespace scans on one node.
 *
 * <p><b>Atomicity.</b> Compare-and-set, conditional delete and counters are Lua scripts (EVALSHA, EVAL
 * when the server lost its script cache); expiry is Redis's own PEXPIRE; scans are SCAN MATCH with
 * COUNT, a few rounds per page, with values read by pipelined HMGET.
 *
 * <p><b>Durability</b> is the server's: a stage completes when Redis has answered, and Redis answers a
 * write after its append-only file has it on disk only with {@code appendonly yes} and
 * {@code appendfsync always}. {@link #connect} reads that configuration and logs a warning when writes
 * would not be fsynced before they are acknowledged; {@link #fsyncsEveryWrite()} tells the same.
 */
public final class RedisStore implements StateStore {

    /** How long a command may take before its stage fails. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** SCAN calls one page makes at most (a sparse namespace in a big keyspace yields short pages). */
    static final int MAX_SCAN_ROUNDS = 8;

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

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final RedisAsyncCommands<String, byte[]> commands;
    private final String description;
    private final boolean fsyncsEveryWrite;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, String> digests = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RedisStore(RedisClient client, StatefulRedisConnection<String, byte[]> connection, String description) {
        this.client = client;
        this.connection = connection;
        this.commands = connection.async();
        this.description = description;
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
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI: " + uri, e);
        }
        redisUri.setTimeout(commandTimeout);
        String description = redisUri.getHost() + ":" + redisUri.getPort() + "/" + redisUri.getDatabase();
        RedisClient client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(commandTimeout)).build());
        try {
            StatefulRedisConnection<String, byte[]> connection =
                    client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            return new RedisStore(client, connection, description);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw new StoreException("cannot connect to Redis at " + description, e);
        }
    }

    /** True when the server's configuration fsyncs its append-only file before it answers a write. */
    public boolean fsyncsEveryWrite() {
        return fsyncsEveryWrite;
    }

    @Override
    public CompletionStage<Optional<StoreEntry>> get(StoreKey key) {
        return call(key, () -> commands.hmget(redisKey(key), "v", "d")).thenApply(fields -> entry(key, fields));
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
        return call(key, () -> commands.del(redisKey(key))).thenApply(removed -> removed > 0);
    }

    @Override
    public CompletionStage<Boolean> deleteIfVersion(StoreKey key, long expectedVersion) {
        if (expectedVersion <= 0) {
            throw new IllegalArgumentException("the expected version of an entry is positive: " + expectedVersion);
        }
        return this.<Long>script(key, DELETE_IF_VERSION, ScriptOutputType.INTEGER, new String[] {redisKey(key)},
                ascii(Long.toString(expectedVersion))).thenApply(removed -> removed > 0);
    }

    @Override
    public CompletionStage<Long> increment(StoreKey key, long delta) {
        return this.<byte[]>script(key, INCREMENT, ScriptOutputType.VALUE,
                        new String[] {redisKey(key), versionKey(key.namespace())}, ascii(Long.toString(delta)))
                .thenApply(value -> Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
    }

    @Override
    public CompletionStage<StorePage> scan(String namespace, String prefix, Optional<String> cursor, int limit) {
        StoreKey.checkNamespace(namespace);
        StoreKey.checkPrefix(prefix);
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_PAGE_SIZE + ": " + limit);
        }
        ScanState state = cursor.map(ScanState::parse).orElseGet(ScanState::start);
        ScanArgs args = ScanArgs.Builder.matches(namespaceKey(namespace) + globEscape(prefix) + "*").limit(limit);
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
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        LOG.info("state store closed: redis={}", description);
    }

    @Override
    public String toString() {
        return "RedisStore[" + description + "]";
    }

    // --- operations

    private CompletableFuture<Long> put(StoreKey key, String expected, byte[] value, Optional<Duration> ttl) {
        long ttlMillis = EmbeddedStore.ttlMillis(ttl);
        return script(key, PUT, ScriptOutputType.INTEGER, new String[] {redisKey(key), versionKey(key.namespace())},
                ascii(expected), value.clone(), ascii(Long.toString(ttlMillis)));
    }

    /** Scans until the page is full, SCAN is done, or the rounds are used up; names overflow into the state. */
    private CompletableFuture<Void> collect(String namespace, ScanArgs args, ScanState state, List<String> names,
                                            int limit, int rounds) {
        while (names.size() < limit && !state.pending.isEmpty()) {
            names.add(state.pending.poll());
        }
        if (names.size() == limit || state.scanDone || rounds == 0) {
            return CompletableFuture.completedFuture(null);
        }
        int skip = namespaceKey(namespace).length();
        return call(null, () -> commands.scan(ScanCursor.of(state.redisCursor), args)).thenCompose(found -> {
            for (String redisKey : found.getKeys()) {
                state.pending.add(redisKey.substring(skip));
            }
            state.redisCursor = found.getCursor();
            state.scanDone = found.isFinished();
            return collect(namespace, args, state, names, limit, rounds - 1);
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
    private <T> CompletableFuture<T> call(StoreKey key, Supplier<RedisFuture<T>> command) {
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
        return new StoreException("Redis " + description + " failed" + (key == null ? "" : " at " + key) + ": "
                + cause.getMessage(), cause);
    }

    private boolean checkPersistence() {
        try {
            Map<String, String> config = connection.sync().configGet("appendonly", "appendfsync");
            boolean always = "yes".equals(config.get("appendonly")) && "always".equals(config.get("appendfsync"));
            if (always) {
                LOG.info("state store opened: redis={} appendfsync=always", description);
            } else {
                LOG.warn("state store opened: redis={} appendonly={} appendfsync={}: acknowledged writes are"
                        + " not yet on disk, a Redis crash can lose them", description, config.get("appendonly"),
                        config.get("appendfsync"));
            }
            return always;
        } catch (RuntimeException e) {
            LOG.warn("state store opened: redis={}; cannot read its persistence settings ({}), durability unknown",
                    description, e.getMessage());
            return false;
        }
    }

    private static String namespaceKey(String namespace) {
        return "{" + namespace + "}:";
    }

    private static String redisKey(StoreKey key) {
        return namespaceKey(key.namespace()) + key.name();
    }

    private static String versionKey(String namespace) {
        return "{" + namespace + "}#version";
    }

    /** Escapes the characters SCAN MATCH's glob gives a meaning to. */
    static String globEscape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static byte[] ascii(String text) {
        return text.isEmpty() ? EMPTY : text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Where a scan is: the Redis cursor, whether SCAN has finished, and names SCAN returned beyond the
     * last page's limit. Its text form (the page cursor) is the Redis cursor, or {@code done}, then each
     * pending name on a line of its own (names hold no control characters).
     */
    private static final class ScanState {
        private static final String DONE = "done";

        private String redisCursor;
        private boolean scanDone;
        private final Deque<String> pending = new ArrayDeque<>();

        private ScanState(String redisCursor, boolean scanDone) {
            this.redisCursor = redisCursor;
            this.scanDone = scanDone;
        }

        static ScanState start() {
            return new ScanState(ScanCursor.INITIAL.getCursor(), false);
        }

        static ScanState parse(String text) {
            String[] lines = text.split("\n", -1);
            boolean done = lines[0].equals(DONE);
            if (!done && (lines[0].isEmpty() || !lines[0].chars().allMatch(c -> c >= '0' && c <= '9'))) {
                throw new IllegalArgumentException("not a scan cursor of this store: " + text.lines().findFirst().orElse(""));
            }
            ScanState state = new ScanState(done ? ScanCursor.FINISHED.getCursor() : lines[0], done);
            for (int i = 1; i < lines.length; i++) {
                state.pending.add(StoreKey.checkPrefix(lines[i]));
            }
            return state;
        }

        Optional<String> next() {
            if (scanDone && pending.isEmpty()) {
                return Optional.empty();
            }
            StringBuilder text = new StringBuilder(scanDone ? DONE : redisCursor);
            for (String name : pending) {
                text.append('\n').append(name);
            }
            return Optional.of(text.toString());
        }
    }
}
