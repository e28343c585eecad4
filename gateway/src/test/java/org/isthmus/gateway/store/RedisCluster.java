package org.isthmus.gateway.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.isthmus.gateway.interop.Peers;

/**
 * A Redis Cluster of masters without replicas, each a redis-server from Debian's package started by a
 * test on loopback with appendfsync always, joined by {@code redis-cli --cluster create}, and stopped by
 * it. Every wait is bounded.
 */
final class RedisCluster implements AutoCloseable {

    private static final Duration CONVERGENCE = Duration.ofSeconds(30);
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);

    private final List<RedisServer> nodes;
    private final Map<RedisServer, Admin> admins = new HashMap<>();

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code masters} nodes, creates the cluster over them and waits until it serves every slot. */
    static RedisCluster start(int masters) {
        String cli = Peers.executable("redis-cli");
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(nodes);
        try {
            List<String> command = new ArrayList<>(List.of(cli, "--cluster", "create"));
            for (int i = 0; i < masters; i++) {
                RedisServer node = RedisServer.startClusterNode();
                nodes.add(node);
                command.add(Peers.LOOPBACK + ":" + node.port());
            }
            command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            cli(command);
            cluster.awaitOk();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The nodes' URIs, the seeds a store connects through. */
    List<String> uris() {
        return nodes.stream().map(RedisServer::uri).toList();
    }

    /** The masters, in the order they were started. */
    List<RedisServer> nodes() {
        return nodes;
    }

    /** Commands on one node alone (its own keys, its own view of the cluster). */
    RedisCommands<String, String> admin(RedisServer node) {
        return admins.computeIfAbsent(node, n -> Admin.connect(n.uri())).connection().sync();
    }

    /** The master serving {@code slot}, by its own account. */
    RedisServer master(int slot) {
        for (RedisServer node : nodes) {
            if (ClusterRedis.ownSlots(admin(node).clusterNodes()).contains(slot)) {
                return node;
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The node's id in the cluster. */
    String id(RedisServer node) {
        return admin(node).clusterMyId();
    }

    /** Empties every master. */
    void flushAll() {
        for (RedisServer node : nodes) {
            admin(node).flushall();
        }
    }

    /** Kills one node with SIGKILL and starts it again on its port, directory, AOF and nodes.conf. */
    void killAndRestart(RedisServer node) {
        Admin admin = admins.remove(node);
        if (admin != null) {
            admin.close();
        }
        node.kill();
        node.restart();
        awaitOk();
    }

    /**
     * Moves {@code count} slots from one master to another with {@code redis-cli --cluster reshard},
     * keys included, and waits until every node agrees again.
     */
    void reshard(RedisServer from, RedisServer to, int count) {
        cli(List.of(Peers.executable("redis-cli"), "--cluster", "reshard", Peers.LOOPBACK + ":" + from.port(),
                "--cluster-from", id(from), "--cluster-to", id(to), "--cluster-slots", Integer.toString(count),
                "--cluster-yes"));
        awaitOk();
    }

    /**
     * Runs a redis-cli cluster command to its end, within a bound, its output into a file: a reshard
     * writes a line per key moved, more than a pipe holds.
     */
    private static void cli(List<String> command) {
        Path directory = Peers.workDirectory("redis-cli");
        Path output = directory.resolve("output.txt");
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(CLI_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                Peers.stop(process, Duration.ofSeconds(2));
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + CLI_TIMEOUT
                        + ":\n" + Peers.tail(output, 20));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Peers.tail(output, 20));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    /** Waits until every node reports {@code cluster_state:ok} and all agree on one slot map. */
    void awaitOk() {
        Instant deadline = Instant.now().plus(CONVERGENCE);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                if (allOk()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                last = notYet.toString();
            }
            StateStoreContract.sleep(100);
        }
        throw new IllegalStateException("the Redis Cluster did not converge within " + CONVERGENCE + " " + last);
    }

    private boolean allOk() {
        Set<Map<String, String>> views = new HashSet<>();
        for (RedisServer node : nodes) {
            RedisCommands<String, String> admin = admin(node);
            if (!admin.clusterInfo().contains("cluster_state:ok")) {
                return false;
            }
            views.add(slotMap(admin.clusterNodes()));
        }
        return views.size() == 1;
    }

    /** Each master's id with its slots, as one node's CLUSTER NODES tells (bracketed migrations included). */
    private static Map<String, String> slotMap(String clusterNodes) {
        Map<String, String> masters = new TreeMap<>();
        for (String line : clusterNodes.split("\n")) {
            String[] fields = line.strip().split(" ");
            if (fields.length >= 8 && List.of(fields[2].split(",")).contains("master")) {
                masters.put(fields[0], String.join(" ", List.of(fields).subList(8, fields.length)));
            }
        }
        return masters;
    }

    @Override
    public void close() {
        admins.values().forEach(Admin::close);
        admins.clear();
        for (RedisServer node : nodes) {
            node.close();
        }
    }

    /** A plain client on one node. */
    private record Admin(RedisClient client, StatefulRedisConnection<String, String> connection) {

        static Admin connect(String uri) {
            RedisClient client = RedisClient.create(uri);
            return new Admin(client, client.connect());
        }

        void close() {
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
