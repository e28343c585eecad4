package org.isthmus.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

/** The Redis layout: entry keys, the per-slot version counters, scan patterns. */
class RedisKeysTest {

    @Test
    void anEntryKeyIsAHashTagOfNamespaceAndName() {
        assertThat(RedisKeys.entry(StoreKey.of("dialogs", "call-1@sip.example"))).isEqualTo("{dialogs:call-1@sip.example}");
        assertThat(RedisKeys.name("dialogs", "{dialogs:call-1@sip.example}")).contains("call-1@sip.example");
        assertThat(RedisKeys.name("dialogs", "{dialogsx:a}")).isEmpty();
        assertThat(RedisKeys.name("dialogs", "{dialogs:}")).isEmpty();
        assertThat(RedisKeys.name("dialogs", "#version:{3}")).isEmpty();
    }

    @Test
    void everySlotHasACounterInThatSlot() {
        String[] entries = new String[SlotSet.SLOT_COUNT];
        int missing = entries.length;
        for (int n = 0; missing > 0; n++) {
            String entry = "{mirror:" + n + "}";
            int slot = SlotHash.getSlot(entry);
            if (entries[slot] == null) {
                entries[slot] = entry;
                missing--;
            }
        }
        for (int slot = 0; slot < entries.length; slot++) {
            assertThat(SlotHash.getSlot(RedisKeys.versionCounter(entries[slot]))).isEqualTo(slot);
        }
    }

    @Test
    void theCounterOfANameWithBracesOrNonAsciiIsInItsSlot() {
        for (String name : new String[] {"a}b", "{x}", "}", "jüliet@xmpp.example/📱", "}{"}) {
            String entry = RedisKeys.entry(StoreKey.of("mirror", name));
            assertThat(RedisKeys.slot(RedisKeys.versionCounter(entry))).as(name).isEqualTo(RedisKeys.slot(entry));
            assertThat(RedisKeys.name("mirror", entry)).contains(name);
        }
    }

    @Test
    void counterKeysNeverChangeAcrossReleases() {
        // They are stored data: another name would orphan every counter and let versions repeat.
        assertThat(RedisKeys.versionCounter("{mirror:romeo@sip.example}")).isEqualTo("#version:{22618}");
        assertThat(RedisKeys.versionCounter("{dialogs:call-1}")).isEqualTo("#version:{23218}");
    }

    @Test
    void aScanPatternIsLiteralButForItsTrailingWildcard() {
        assertThat(RedisKeys.pattern("mirror", "a*[b]?\\c:")).isEqualTo("{mirror:a\\*\\[b\\]\\?\\\\c:*}");
        assertThat(RedisKeys.pattern("mirror", "")).isEqualTo("{mirror:*}");
    }
}
