package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The state of a Redis scan across masters, and its cursor text. */
class RedisScanTest {

    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);

    @Test
    void aSlotIsCoveredOnlyIfItsMasterServedItThroughout() {
        RedisScan scan = RedisScan.start();
        scan.begin(A, SlotSet.range(0, 8191));
        scan.found(List.of("x"), "17");
        scan.end(SlotSet.range(100, 9000));
        assertThat(scan.uncovered()).isEqualTo(SlotSet.parse("0-99,8192-16383"));
        assertThat(scan.master()).isEmpty();
        assertThat(scan.scanned()).isFalse();

        scan.begin(B, SlotSet.parse("0-99,8192-16383"));
        scan.end(SlotSet.ALL);
        assertThat(scan.scanned()).isTrue();
    }

    @Test
    void aDroppedMasterCoversNothing() {
        RedisScan scan = RedisScan.start();
        scan.begin(A, SlotSet.ALL);
        scan.drop();
        assertThat(scan.uncovered()).isEqualTo(SlotSet.ALL);
        scan.coverRest();
        assertThat(scan.scanned()).isTrue();
        assertThat(scan.next()).isEmpty();
    }

    @Test
    void theCursorCarriesEverythingAcrossPages() {
        RedisScan scan = RedisScan.start();
        scan.begin(A, SlotSet.range(0, 5460));
        scan.found(List.of("one", "two", "jüliet@xmpp.example/📱"), "1234");
        List<String> page = new ArrayList<>();
        scan.drainInto(page, 1);
        assertThat(page).containsExactly("one");

        String text = scan.next().orElseThrow();
        assertThat(text).isEqualTo(A + " 1234 0-5460 0-16383\ntwo\njüliet@xmpp.example/📱");
        RedisScan again = RedisScan.parse(text);
        assertThat(again.master()).contains(A);
        assertThat(again.cursor()).isEqualTo("1234");
        assertThat(again.next()).contains(text);
        List<String> rest = new ArrayList<>();
        again.drainInto(rest, 10);
        assertThat(rest).containsExactly("two", "jüliet@xmpp.example/📱");
    }

    @Test
    void pendingNamesOutliveTheLastMaster() {
        RedisScan scan = RedisScan.start();
        scan.begin(StandaloneRedis.SERVER, SlotSet.ALL);
        scan.found(List.of("late"), "0");
        scan.end(SlotSet.ALL);
        assertThat(scan.next()).contains("- 0 - -\nlate");
        List<String> page = new ArrayList<>();
        RedisScan last = RedisScan.parse(scan.next().orElseThrow());
        last.drainInto(page, 5);
        assertThat(page).containsExactly("late");
        assertThat(last.next()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-cursor", "", "done", "- 5 - 0-16383", "A 0 - -", "server x 0-1 0-1",
            "server 0 0-1", "server 0 0-1 0-99999", "server 0 0-1 0-1\nbad\u0001name"})
    void aForeignCursorIsRefused(String text) {
        assertThatThrownBy(() -> RedisScan.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a scan cursor of this store");
    }
}
