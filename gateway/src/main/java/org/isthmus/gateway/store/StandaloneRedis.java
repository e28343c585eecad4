package org.isthmus.gateway.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/** One Redis server: a single master that serves every slot, on one multiplexed connection. */
final class StandaloneRedis implements RedisBackend {

    /** The name a single server goes by in scan cursors (a cluster names masters by their node ids). */
    static final String SERVER = "server";

    private static final List<Master> MASTERS = List.of(new Master(SERVER, SlotSet.ALL));

    private final RedisClient client;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final String description;

    private StandaloneRedis(RedisClient client, StatefulRedisConnection<String, byte[]> connection, String description) {
        this.client = client;
        this.connection = connection;
        this.description = description;
    }

    /** Connects to {@code uri}; blocks until connected. */
    static StandaloneRedis connect(RedisURI uri, Duration commandTimeout) {
        String description = uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(commandTimeout)).build());
        StatefulRedisConnection<String, byte[]> connection;
        try {
            connection = client.connect(RedisStore.CODEC);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, RedisStore.SHUTDOWN_TIMEOUT);
            throw new StoreException("cannot connect to Redis at " + description, e);
        }
        if (isClusterNode(connection)) {
            // As a single server it would answer MOVED for most keys: refuse it now rather than then.
            connection.close();
            client.shutdown(Duration.ZERO, RedisStore.SHUTDOWN_TIMEOUT);
            throw new StoreException("Redis at " + description + " is a node of a Redis Cluster; connect to it as"
                    + " a cluster (store type redis-cluster)");
        }
        return new StandaloneRedis(client, connection, description);
    }

    private static boolean isClusterNode(StatefulRedisConnection<String, byte[]> connection) {
        try {
            return connection.sync().info("cluster").contains("cluster_enabled:1");
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return connection.async();
    }

    @Override
    public List<Master> masters() {
        return MASTERS;
    }

    @Override
    public CompletableFuture<RedisClusterAsyncCommands<String, byte[]>> on(String masterId) {
        return CompletableFuture.completedFuture(connection.async());
    }

    @Override
    public CompletableFuture<SlotSet> served(String masterId) {
        return CompletableFuture.completedFuture(SlotSet.ALL);
    }

    @Override
    public CompletableFuture<Void> refresh() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public Map<String, Map<String, String>> persistence() {
        return Map.of(description, RedisStore.persistenceOf(connection.sync()));
    }

    @Override
    public int replicas() {
        return 0;
    }

    @Override
    public String description() {
        return "redis=" + description;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, RedisStore.SHUTDOWN_TIMEOUT);
    }
}
