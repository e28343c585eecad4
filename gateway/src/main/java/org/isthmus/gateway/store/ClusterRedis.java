package org.isthmus.gateway.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;

/**
 * A Redis Cluster through Lettuce's cluster client: keyed commands follow the slot map (and MOVED and
 * ASK redirections), and the client relearns the map periodically and whenever a redirection or a
 * lost connection says it changed, so a failover or a resharding is followed without a restart.
 */
final class ClusterRedis implements RedisBackend {

    /** How often the client relearns the topology when nothing has told it of a change. */
    static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);

    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, byte[]> connection;
    private final String description;

    private ClusterRedis(RedisClusterClient client, StatefulRedisClusterConnection<String, byte[]> connection,
                         String description) {
        this.client = client;
        this.connection = connection;
        this.description = description;
    }

    /**
     * Connects through the first of {@code seeds} that answers and learns the rest of the cluster from
     * it; blocks until connected. Nodes found that way are reached with the first seed's password and TLS.
     */
    static ClusterRedis connect(List<RedisURI> seeds, Duration commandTimeout) {
        String description = seeds.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(ClusterClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                // Lettuce 7 has every adaptive trigger on by default; the periodic refresh is off unless asked.
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
                        .build())
                .build());
        try {
            return new ClusterRedis(client, client.connect(RedisStore.CODEC), description);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, RedisStore.SHUTDOWN_TIMEOUT);
            throw new StoreException("cannot connect to the Redis Cluster at " + description, e);
        }
    }

    @Override
    public RedisClusterAsyncCommands<String, byte[]> commands() {
        return connection.async();
    }

    @Override
    public List<Master> masters() {
        List<Master> masters = new ArrayList<>();
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                BitSet slots = new BitSet(SlotSet.SLOT_COUNT);
                node.forEachSlot(slots::set);
                masters.add(new Master(node.getNodeId(), SlotSet.of(slots)));
            }
        }
        masters.sort(Comparator.comparing(Master::id));
        return masters;
    }

    @Override
    public CompletableFuture<RedisClusterAsyncCommands<String, byte[]>> on(String masterId) {
        return connection.getConnectionAsync(masterId).thenApply(StatefulRedisConnection::async);
    }

    @Override
    public CompletableFuture<SlotSet> served(String masterId) {
        return on(masterId).thenCompose(node -> node.clusterNodes().toCompletableFuture())
                .thenApply(ClusterRedis::ownSlots);
    }

    @Override
    public CompletableFuture<Void> refresh() {
        return client.refreshPartitionsAsync().toCompletableFuture();
    }

    @Override
    public Map<String, Map<String, String>> persistence() {
        Map<String, Map<String, String>> settings = new LinkedHashMap<>();
        for (Master master : masters()) {
            RedisClusterNode node = connection.getPartitions().getPartitionByNodeId(master.id());
            String address = node == null ? master.id() : node.getUri().getHost() + ":" + node.getUri().getPort();
            settings.put(address, RedisStore.persistenceOf(connection.getConnection(master.id()).sync()));
        }
        return settings;
    }

    @Override
    public int replicas() {
        int replicas = 0;
        for (RedisClusterNode node : connection.getPartitions()) {
            if (node.is(NodeFlag.REPLICA)) {
                replicas++;
            }
        }
        return replicas;
    }

    @Override
    public String description() {
        return "redis-cluster=" + description;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, RedisStore.SHUTDOWN_TIMEOUT);
    }

    /**
     * The slots a node serves by its own CLUSTER NODES line (the one flagged {@code myself}), less those
     * it lists in brackets as being migrated away or imported: during a migration the keys of such a
     * slot are split between two masters. A replica serves none.
     */
    static SlotSet ownSlots(String clusterNodes) {
        for (String line : clusterNodes.split("\n")) {
            String[] fields = line.strip().split(" ");
            if (fields.length < 8 || !List.of(fields[2].split(",")).contains("myself")) {
                continue;
            }
            if (!List.of(fields[2].split(",")).contains("master")) {
                return SlotSet.NONE;
            }
            List<String> ranges = new ArrayList<>();
            BitSet moving = new BitSet(SlotSet.SLOT_COUNT);
            for (int i = 8; i < fields.length; i++) {
                if (fields[i].startsWith("[")) {
                    moving.set(Integer.parseInt(fields[i].substring(1, fields[i].indexOf('-'))));
                } else if (!fields[i].isEmpty()) {
                    ranges.add(fields[i]);
                }
            }
            SlotSet served = ranges.isEmpty() ? SlotSet.NONE : SlotSet.parse(String.join(",", ranges));
            return served.andNot(SlotSet.of(moving));
        }
        throw new StoreException("CLUSTER NODES has no line for the node itself");
    }
}
