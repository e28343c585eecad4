package org.isthmus.gateway.store;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * What differs between a single Redis server and a Redis Cluster under one {@link RedisStore}: the
 * connection, where commands go, which masters a scan visits, and how their settings are read. The
 * store's logic (scripts, layout, scans, durability checks) is the same for both; it talks to
 * {@link RedisClusterAsyncCommands}, the command interface Lettuce's single-server and cluster
 * connections share.
 */
sealed interface RedisBackend permits StandaloneRedis, ClusterRedis {

    /** Commands on keys; on a cluster each goes to the master of its key's slot. */
    RedisClusterAsyncCommands<String, byte[]> commands();

    /** The masters that serve slots, as the client last learnt them (it may lag a topology change). */
    List<Master> masters();

    /** Commands on one master alone, for what Redis runs per node (SCAN, CLUSTER NODES). */
    CompletableFuture<RedisClusterAsyncCommands<String, byte[]>> on(String masterId);

    /** The slots a master serves by its own account now, less any it is migrating or importing. */
    CompletableFuture<SlotSet> served(String masterId);

    /** Learns the topology again, after a master's own account contradicted the client's view. */
    CompletableFuture<Void> refresh();

    /**
     * The {@code appendonly} and {@code appendfsync} settings of every master, by address; an empty map
     * for a master that would not tell. Blocks: for start-up only.
     */
    Map<String, Map<String, String>> persistence();

    /** How many replicas the masters have in all, as far as the client knows. */
    int replicas();

    /** The servers, for logs and messages. */
    String description();

    /** Closes the connections and releases the client's threads. */
    void close();

    /** A master by its node id, with the slots it serves. */
    record Master(String id, SlotSet slots) {

        /** Checks the parts. */
        public Master {
            if (id == null || id.isEmpty() || slots == null) {
                throw new IllegalArgumentException("a master has an id and slots");
            }
        }
    }
}
