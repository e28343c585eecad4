package org.isthmus.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.isthmus.xmpp.testing.RecordingHandler;

class ComponentSettingsTest {

    @Test
    void neverShowsTheSecretInItsStringForm() {
        assertThat(ComponentSettings.of("localhost", 5347, "sip.example.net", "hunter2").toString())
                .doesNotContain("hunter2").contains("secret=***");
    }

    @Test
    void refusesInvalidValues() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new ComponentSettings(" ", 5347, "d.example", "x", s, s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 0, "d.example", "x", s, s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 5347, "user@d.example", "x", s, s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 5347, "d.example", "", s, s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 5347, "d.example", "x", Duration.ZERO, s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 5347, "d.example", "x", s.multipliedBy(2), s, s, 65536))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ComponentSettings("h", 5347, "d.example", "x", s, s, s, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheMaximum() {
        ComponentSettings settings = new ComponentSettings("h", 5347, "d.example", "x", Duration.ofMillis(100),
                Duration.ofMillis(1000), Duration.ofSeconds(1), 65536);
        ComponentLink link = new ComponentLink(settings, new RecordingHandler());
        try {
            for (int i = 0; i < 50; i++) {
                assertThat(link.backoffMillis(0)).isBetween(80L, 120L);
                assertThat(link.backoffMillis(1)).isBetween(160L, 240L);
                assertThat(link.backoffMillis(3)).isBetween(640L, 960L);
                assertThat(link.backoffMillis(4)).isBetween(800L, 1000L);
                assertThat(link.backoffMillis(1000)).isBetween(800L, 1000L);
            }
        } finally {
            link.close();
        }
    }
}
