package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The {@code cluster} section of gateway.yaml. */
class ClusterConfigTest {

    @Test
    void aSingleNodeHasNoClusterSettings() {
        assertThat(GatewayConfig.parse("test.yaml", BASE, name -> null).cluster()).isEmpty();
    }

    @Test
    void nodesOnRedisNameThemselves() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + """
                store: {type: redis, redis-uri: "redis://127.0.0.1:6379"}
                cluster: {node-id: isthmus-1, heartbeat: 2s, takeover-after: 10s}
                """, name -> null);
        assertThat(c.cluster()).contains(new ClusterSettings("isthmus-1", Duration.ofSeconds(2), Duration.ofSeconds(10)));
    }

    @Test
    void mistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE + """
                cluster: {heartbeat: 5s, takeover-after: 6s}
                """)).anySatisfy(p -> assertThat(p).startsWith("cluster.node-id"))
                .anySatisfy(p -> assertThat(p).startsWith("cluster.takeover-after").contains("twice the heartbeat"))
                .anySatisfy(p -> assertThat(p).startsWith("cluster").contains("store.type to redis"));
        assertThat(problems(BASE + """
                store: {type: redis, redis-uri: "redis://127.0.0.1:6379"}
                cluster: {node-id: "two words"}
                """)).anySatisfy(p -> assertThat(p).startsWith("cluster.node-id").contains("letters, digits"));
    }
}
