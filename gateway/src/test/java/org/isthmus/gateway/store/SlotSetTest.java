package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Slot sets and their text form, the ranges CLUSTER NODES writes. */
class SlotSetTest {

    @Test
    void rangesReadAndWriteBack() {
        SlotSet slots = SlotSet.parse("0-5460,7000,10923-16383");
        assertThat(slots.contains(0)).isTrue();
        assertThat(slots.contains(5461)).isFalse();
        assertThat(slots.contains(7000)).isTrue();
        assertThat(slots).hasToString("0-5460,7000,10923-16383");
        assertThat(SlotSet.ALL).hasToString("0-16383");
        assertThat(SlotSet.NONE).hasToString("-");
        assertThat(SlotSet.parse("-")).isEqualTo(SlotSet.NONE);
    }

    @Test
    void setOperations() {
        SlotSet low = SlotSet.range(0, 99);
        SlotSet middle = SlotSet.range(50, 149);
        assertThat(low.and(middle)).isEqualTo(SlotSet.range(50, 99));
        assertThat(low.andNot(middle)).isEqualTo(SlotSet.range(0, 49));
        assertThat(low.intersects(middle)).isTrue();
        assertThat(low.intersects(SlotSet.range(100, 200))).isFalse();
        assertThat(SlotSet.ALL.andNot(SlotSet.ALL).isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16384", "5-3", "a-b", "1,,2", "-1", "0-16384", "123456"})
    void anythingElseIsRefused(String text) {
        assertThatThrownBy(() -> SlotSet.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
