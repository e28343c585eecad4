package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A node's own slots, read from its CLUSTER NODES reply. */
class ClusterRedisTest {

    private static final String NODES = """
            e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922
            67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 7000 [93-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f] [77->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]
            292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@40003 master - 0 1426238318243 3 connected 10923-16383
            """;

    @Test
    void aMasterServesItsRangesLessTheSlotsBeingMoved() {
        SlotSet own = ClusterRedis.ownSlots(NODES);
        assertThat(own).isEqualTo(SlotSet.parse("0-76,78-92,94-5460,7000"));
    }

    @Test
    void aReplicaServesNothing() {
        String replica = "6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@40005 myself,slave "
                + "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 0 5 connected\n";
        assertThat(ClusterRedis.ownSlots(replica)).isEqualTo(SlotSet.NONE);
    }

    @Test
    void aMasterWithoutSlotsServesNothing() {
        assertThat(ClusterRedis.ownSlots("a 127.0.0.1:1@2 myself,master - 0 0 0 connected\n")).isEqualTo(SlotSet.NONE);
    }

    @Test
    void aReplyWithoutTheNodeItselfFails() {
        assertThatThrownBy(() -> ClusterRedis.ownSlots(NODES.replace("myself,", "")))
                .isInstanceOf(StoreException.class);
    }
}
