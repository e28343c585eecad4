package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.interop.Peers;

/**
 * The {@link StateStore} contract on {@link RedisStore} against a real Redis Cluster of three masters
 * (Debian's redis-server, appendfsync always), and what only a cluster does: entries spread over the
 * masters, scans that visit each of them, a master's crash and a resharding.
 */
@Tag("interop")
class RedisClusterStoreTest extends StateStoreContract {

    private static RedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = RedisCluster.start(3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected StateStore openEmpty() {
        cluster.flushAll();
        return RedisStore.connectCluster(cluster.uris());
    }

    @Override
    protected StateStore reopen() {
        return RedisStore.connectCluster(cluster.uris());
    }

    @Test
    void recordsLandOnEveryMasterAndAScanSeesThemAll() {
        writeRecords(300);
        Map<RedisServer, Integer> perMaster = new HashMap<>();
        for (RedisServer node : cluster.nodes()) {
            perMaster.put(node, cluster.admin(node).keys("{mirror:*").size());
        }
        assertThat(perMaster.values()).as("records on each master").allMatch(count -> count > 0);
        assertThat(perMaster.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);

        assertThat(names(scanAllPages(NS, "sub:", 7))).hasSize(300);
    }

    @Test
    void eachRecordSharesItsSlotAndItsMasterWithItsVersionCounter() {
        writeRecords(50);
        join(store.increment(key("cseq"), 1));
        for (RedisServer node : cluster.nodes()) {
            for (String redisKey : cluster.admin(node).keys("*")) {
                if (redisKey.startsWith("{")) {
                    assertThat(redisKey).startsWith("{mirror:").endsWith("}");
                    String counter = RedisKeys.versionCounter(redisKey);
                    assertThat(RedisKeys.slot(counter)).isEqualTo(RedisKeys.slot(redisKey));
                    assertThat(cluster.admin(node).exists(counter)).as(counter + " beside " + redisKey).isEqualTo(1L);
                } else {
                    assertThat(redisKey).startsWith("#version:{");
                }
            }
        }
    }

    @Test
    void aClusterWithAppendfsyncAlwaysOnEveryMasterIsDurable() {
        assertThat(((RedisStore) store).fsyncsEveryWrite()).isTrue();
    }

    @Test
    void aClusterHasOnlyDatabaseZero() {
        assertThatThrownBy(() -> RedisStore.connectCluster(List.of(cluster.uris().get(0) + "/2")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClusterNodeIsRefusedAsASingleServerAndNoNodeFailsToConnect() {
        assertThatThrownBy(() -> RedisStore.connect(cluster.uris().get(0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("redis-cluster");
        assertThatThrownBy(() -> RedisStore.connectCluster(List.of("redis://127.0.0.1:" + Peers.freePort()),
                Duration.ofSeconds(2))).isInstanceOf(StoreException.class);
    }

    @Test
    void killingAMasterLosesNoAcknowledgedWrite() {
        writeRecords(100);
        join(store.increment(key("cseq"), 41));
        long version = join(store.put(key("last"), utf8("acknowledged")));
        RedisServer victim = cluster.master(RedisKeys.slot(RedisKeys.entry(key("last"))));
        store.close();

        cluster.killAndRestart(victim);

        store = reopen();
        StoreEntry last = join(store.get(key("last"))).orElseThrow();
        assertThat(last.text()).isEqualTo("acknowledged");
        assertThat(last.version()).isEqualTo(version);
        assertThat(join(store.increment(key("cseq"), 1))).isEqualTo(42);
        assertThat(names(scanAllPages(NS, "sub:", 100))).hasSize(100);
        assertThat(join(store.put(key("last"), utf8("again")))).as("its slot's counter survived").isGreaterThan(version);
    }

    @Test
    void aScanThatSpansAReshardingStillSeesEveryRecord() {
        writeRecords(2_000);
        List<String> ids = cluster.nodes().stream().map(cluster::id).sorted().toList();
        RedisServer scannedFirst = node(ids.get(0));
        RedisServer scannedLast = node(ids.get(2));

        Set<String> seen = new HashSet<>();
        Optional<String> cursor = Optional.empty();
        boolean resharded = false;
        int pages = 0;
        do {
            StorePage page = join(store.scan(NS, "sub:", cursor, 50));
            page.entries().forEach(e -> seen.add(e.key().name()));
            cursor = page.next();
            if (!resharded && cursor.isPresent() && cursor.get().startsWith(ids.get(1) + " ")) {
                // The first master is done and the last not begun: move slots from the last to the first.
                cluster.reshard(scannedLast, scannedFirst, 2_000);
                resharded = true;
            }
            assertThat(++pages).as("the scan ends").isLessThan(1_000);
        } while (cursor.isPresent());

        assertThat(resharded).isTrue();
        assertThat(seen).hasSize(2_000);
        cluster.reshard(scannedFirst, scannedLast, 2_000);
    }

    private RedisServer node(String id) {
        return cluster.nodes().stream().filter(n -> cluster.id(n).equals(id)).findFirst().orElseThrow();
    }

    private void writeRecords(int count) {
        List<CompletableFuture<Long>> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            writes.add(store.put(key("sub:" + i), utf8("value " + i)).toCompletableFuture());
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
    }
}
