package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.interop.Peers;

/**
 * The {@link StateStore} contract on {@link RedisStore} against a real redis-server (Debian's), and
 * what only Redis does: durability by the server's append-only file, its script cache, its layout.
 */
@Tag("interop")
class RedisStoreTest extends StateStoreContract {

    private static RedisServer server;
    private static RedisClient admin;
    private static StatefulRedisConnection<String, String> adminConnection;

    @BeforeAll
    static void startServer() {
        server = RedisServer.start(false);
        admin = RedisClient.create(server.uri());
        adminConnection = admin.connect();
    }

    @AfterAll
    static void stopServer() {
        if (adminConnection != null) {
            adminConnection.close();
            admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected StateStore openEmpty() {
        adminConnection.sync().flushall();
        return RedisStore.connect(server.uri());
    }

    @Override
    protected StateStore reopen() {
        return RedisStore.connect(server.uri());
    }

    @Test
    void eachEntryIsAHashTagOfItsOwnBesideItsSlotsVersionCounter() {
        join(store.put(StoreKey.of("dialogs", "call-1"), utf8("v")));
        join(store.increment(StoreKey.of("dialogs", "cseq"), 1));
        Set<String> expected = Set.of("{dialogs:call-1}", "{dialogs:cseq}",
                RedisKeys.versionCounter("{dialogs:call-1}"), RedisKeys.versionCounter("{dialogs:cseq}"));
        assertThat(adminConnection.sync().keys("*")).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(SlotHash.getSlot(RedisKeys.versionCounter("{dialogs:call-1}")))
                .isEqualTo(SlotHash.getSlot("{dialogs:call-1}"));
    }

    @Test
    void aServerWithoutAnAppendOnlyFileIsNotDurable() {
        assertThat(((RedisStore) store).fsyncsEveryWrite()).isFalse();
    }

    @Test
    void scriptsWorkAfterTheServerForgetsThem() {
        long v = join(store.put(key("k"), utf8("one")));
        adminConnection.sync().scriptFlush();
        assertThat(join(store.putIfVersion(key("k"), v, utf8("two"), Optional.empty()))).isPresent();
        adminConnection.sync().scriptFlush();
        assertThat(join(store.increment(key("c"), 2))).isEqualTo(2);
    }

    @Test
    void aValueOfAnotherTypeIsAFailureNotAnEntry() {
        adminConnection.sync().set("{mirror:plain}", "not a hash");
        assertThat(failure(store.get(key("plain")))).isInstanceOf(StoreException.class);
        assertThat(failure(store.put(key("plain"), utf8("v")))).isInstanceOf(StoreException.class);
    }

    @Test
    void aForeignCursorIsRefused() {
        assertThatThrownBy(() -> store.scan(NS, "", Optional.of("not-a-cursor"), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSingleServerIsNoCluster() {
        assertThatThrownBy(() -> RedisStore.connectCluster(List.of(server.uri()), Duration.ofSeconds(2)))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void connectingToNoServerFails() {
        int port = Peers.freePort();
        assertThatThrownBy(() -> RedisStore.connect("redis://127.0.0.1:" + port, Duration.ofSeconds(2)))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void withAppendfsyncAlwaysAnAcknowledgedWriteSurvivesKillingRedis() {
        try (RedisServer durable = RedisServer.start(true)) {
            long version;
            try (RedisStore first = RedisStore.connect(durable.uri())) {
                assertThat(first.fsyncsEveryWrite()).isTrue();
                for (int i = 0; i < 100; i++) {
                    join(first.put(key("k" + i), utf8("v" + i)));
                }
                join(first.increment(key("cseq"), 41));
                version = join(first.put(key("last"), utf8("acknowledged")));
                durable.kill();
            }
            durable.restart();
            try (RedisStore second = RedisStore.connect(durable.uri())) {
                StoreEntry last = join(second.get(key("last"))).orElseThrow();
                assertThat(last.text()).isEqualTo("acknowledged");
                assertThat(last.version()).isEqualTo(version);
                assertThat(join(second.increment(key("cseq"), 1))).isEqualTo(42);
                for (int i = 0; i < 100; i++) {
                    assertThat(join(second.get(key("k" + i)))).isPresent();
                }
                assertThat(join(second.put(key("last"), utf8("v")))).isGreaterThan(version);
            }
        }
    }
}
