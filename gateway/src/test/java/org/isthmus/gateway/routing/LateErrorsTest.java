package org.isthmus.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LateErrorsTest {

    private static LateErrors.Remembered entry(int n) {
        return new LateErrors.Remembered("call-" + n + "@sip.test", "alice" + n + "@xmpp.test", "sip:bob@sip.test",
                "sip:alice" + n + "@xmpp.test", Optional.empty(), Optional.empty(), new byte[0]);
    }

    @Test
    void anEntryPacksAndUnpacksToWhatWasRemembered() {
        LateErrors.Remembered cpim = new LateErrors.Remembered("a84b4c76e66710", "jüliet@xmpp.test",
                "sip:rom%C3%A9o@sip.test;transport=tcp", "sip:j%C3%BCliet@xmpp.test", Optional.of("Ça va ?"),
                Optional.of("message/cpim"), "From: <sip:romeo@sip.test>\r\n\r\nhi".getBytes(StandardCharsets.UTF_8));
        LateErrors.Remembered back = LateErrors.unpack(LateErrors.pack(cpim));
        assertThat(back).usingRecursiveComparison().isEqualTo(cpim);
        LateErrors.Remembered plain = entry(1);
        assertThat(LateErrors.unpack(LateErrors.pack(plain))).usingRecursiveComparison().isEqualTo(plain);
    }

    @Test
    void anEntryIsTakenOnceAndOnlyByItsRecipient() {
        LateErrors memory = new LateErrors();
        memory.remember(7, 1_000, entry(7));
        assertThat(memory.take(7, "mallory@xmpp.test")).isEmpty();
        assertThat(memory.take(8, "alice7@xmpp.test")).isEmpty();
        assertThat(memory.take(7, "alice7@xmpp.test")).get().extracting(LateErrors.Remembered::callId)
                .isEqualTo("call-7@sip.test");
        assertThat(memory.take(7, "alice7@xmpp.test")).isEmpty();
        assertThat(memory.size()).isZero();
    }

    @Test
    void entriesAreForgottenWhenDueInTheOrderTheyCame() {
        LateErrors memory = new LateErrors();
        for (int n = 1; n <= 10; n++) {
            memory.remember(n, n * 100L, entry(n));
        }
        assertThat(memory.expire(550, -1)).isEqualTo(600);
        assertThat(memory.size()).isEqualTo(5);
        assertThat(memory.take(5, "alice5@xmpp.test")).isEmpty();
        assertThat(memory.take(6, "alice6@xmpp.test")).isPresent();
        assertThat(memory.expire(1_000, -1)).isEqualTo(-1);
        assertThat(memory.size()).isZero();
    }

    @Test
    void theTablesGrowWithTheEntriesKeptAndShrinkWhenIdle() {
        LateErrors memory = new LateErrors();
        int count = 50_000;
        for (int n = 1; n <= count; n++) {
            // Sequence numbers with gaps, as messages refused before a stanza leave them.
            memory.remember(n * 3L, 10_000, entry(n));
        }
        assertThat(memory.size()).isEqualTo(count);
        for (int n = 1; n <= count; n += 997) {
            assertThat(memory.take(n * 3L, "alice" + n + "@xmpp.test")).as("entry %d", n).isPresent();
        }
        assertThat(memory.expire(10_000, -1)).isEqualTo(-1);
        assertThat(memory.size()).isZero();
        memory.remember(1, 20_000, entry(1));
        assertThat(memory.take(1, "alice1@xmpp.test")).isPresent();
    }
}
