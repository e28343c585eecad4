package org.isthmus.gateway.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;

import org.isthmus.gateway.config.StoreSettings;
import org.isthmus.gateway.store.EmbeddedStore;

/**
 * The check of {@code check-config} on the state store: the embedded store's directory can be written
 * (or made), the Redis server answers PING, or the Redis Cluster's seeds do and the cluster is up. Neither store is opened: the embedded file may be held
 * by a running gateway, and nothing is written.
 */
final class StoreChecks {

    private static final String SUBJECT = "store";

    private final Duration timeout;

    StoreChecks(Duration timeout) {
        this.timeout = timeout;
    }

    Check check(Optional<StoreSettings> store) {
        if (store.isEmpty()) {
            return Check.warn(SUBJECT, "none configured: registrations and presence subscriptions live in memory and are "
                    + "lost on restart", "add 'store: {type: embedded, data-dir: data}' (or a Redis server for several nodes)");
        }
        StoreSettings s = store.get();
        return switch (s.kind()) {
            case EMBEDDED -> embedded(s.dataDir().orElse(Path.of("data")));
            case REDIS -> redis(s.redisUris().get(0));
            case REDIS_CLUSTER -> cluster(s.redisUris());
        };
    }

    /**
     * A Redis Cluster: every seed node answers PING, and the first that does says the cluster is up
     * ({@code cluster_state:ok}). The client learns the cluster from any one seed, so a seed that does
     * not answer is a warning while another does.
     */
    private Check cluster(List<String> seeds) {
        List<String> down = new ArrayList<>();
        Optional<String> state = Optional.empty();
        for (String seed : seeds) {
            Ping ping = ping(seed, true);
            if (ping.failure().isPresent()) {
                down.add(ping.failure().get());
            } else if (state.isEmpty()) {
                state = ping.clusterState();
            }
        }
        String fix = "start the cluster's nodes, or correct store.redis-uris";
        if (down.size() == seeds.size()) {
            return Check.fail(SUBJECT, "no seed of the Redis Cluster can be reached: " + String.join("; ", down), fix);
        }
        if (state.isPresent() && !state.get().equals("ok")) {
            return Check.fail(SUBJECT, "the Redis Cluster reports cluster_state:" + state.get(),
                    "check the cluster with 'redis-cli --cluster check': every slot needs a master that is up");
        }
        if (!down.isEmpty()) {
            return Check.warn(SUBJECT, "the Redis Cluster is up, but " + String.join("; ", down), fix);
        }
        return Check.ok(SUBJECT, "the Redis Cluster is up (cluster_state:ok); every seed answers PING");
    }

    private static Check embedded(Path dir) {
        Path absolute = dir.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            if (!Files.isDirectory(absolute)) {
                return Check.fail(SUBJECT, "data-dir " + dir + " is not a directory", "point store.data-dir at a directory");
            }
            Path file = absolute.resolve(EmbeddedStore.FILE_NAME);
            if (Files.exists(file) && !(Files.isReadable(file) && Files.isWritable(file))) {
                return Check.fail(SUBJECT, file + " cannot be read and written by this user",
                        "run the gateway as the file's owner, or fix its permissions");
            }
            if (!Files.isWritable(absolute)) {
                return Check.fail(SUBJECT, "data-dir " + dir + " cannot be written by this user",
                        "run the gateway as the directory's owner, fix its permissions, or choose another store.data-dir");
            }
            return Check.ok(SUBJECT, "embedded, data-dir " + dir + " can be written" + (Files.exists(file)
                    ? " and holds " + EmbeddedStore.FILE_NAME : ""));
        }
        Path parent = absolute.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            return Check.fail(SUBJECT, "data-dir " + dir + " does not exist and cannot be made here",
                    "create it for the gateway's user, or choose another store.data-dir");
        }
        return Check.ok(SUBJECT, "embedded, data-dir " + dir + " does not exist yet and will be made at start");
    }

    private Check redis(String uri) {
        Ping ping = ping(uri, false);
        return ping.failure().map(f -> Check.fail(SUBJECT, f, "start Redis there, or correct store.redis-uri "
                + "(password, database, rediss:// for TLS)")).orElseGet(() -> Check.ok(SUBJECT, ping.answer()));
    }

    /**
     * What one Redis server said: the answer to PING (and with {@code clusterInfo} the cluster's state),
     * or why it could not be asked.
     */
    private record Ping(String answer, Optional<String> clusterState, Optional<String> failure) {
    }

    private Ping ping(String uri, boolean clusterInfo) {
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(uri);
        } catch (RuntimeException e) {
            return new Ping("", Optional.empty(), Optional.of("'" + uri + "' is not a Redis URI"));
        }
        redisUri.setTimeout(timeout);
        String where = redisUri.getHost() + ":" + redisUri.getPort() + "/" + redisUri.getDatabase();
        RedisClient client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .autoReconnect(false)
                .build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            String answer = connection.sync().ping();
            Optional<String> state = Optional.empty();
            if (clusterInfo) {
                state = connection.sync().clusterInfo().lines().filter(l -> l.startsWith("cluster_state:"))
                        .map(l -> l.substring("cluster_state:".length()).strip()).findFirst();
            }
            return new Ping("Redis at " + where + " answers PING with " + answer, state, Optional.empty());
        } catch (RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return new Ping("", Optional.empty(), Optional.of("Redis at " + where + " cannot be reached: "
                    + cause.getMessage()));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
