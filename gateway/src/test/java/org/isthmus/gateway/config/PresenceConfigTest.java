package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The {@code presence} section of gateway.yaml. */
class PresenceConfigTest {

    @Test
    void withoutTheSectionPresenceIsOnWithTheDefaults() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE, name -> null);
        assertThat(c.presence()).isEqualTo(PresenceSettings.defaults());
        assertThat(c.presence().enabled()).isTrue();
    }

    @Test
    void theShippedFileStatesTheDefaults() {
        GatewayConfig c = GatewayConfig.load(Path.of("../conf/gateway.yaml"), name -> null);
        assertThat(c.presence()).isEqualTo(PresenceSettings.defaults());
    }

    @Test
    void everyKeyIsRead() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + """
                presence:
                  enabled: false
                  subscribe-expires: 600
                  retry: {initial: 5s, max: 2m}
                  coalesce: 0s
                  restore-rate: 500
                """, name -> null);
        assertThat(c.presence()).isEqualTo(new PresenceSettings(false, 600, Duration.ofSeconds(5),
                Duration.ofMinutes(2), Duration.ZERO, 500));
    }

    @Test
    void mistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE + """
                presence:
                  subscribe-expires: 10
                  retry: {initial: 10m, max: 1m}
                  restore-rate: 0
                  coalesce: forever
                  colour: blue
                """)).anySatisfy(p -> assertThat(p).startsWith("presence.subscribe-expires"))
                .anySatisfy(p -> assertThat(p).startsWith("presence.retry.max"))
                .anySatisfy(p -> assertThat(p).startsWith("presence.restore-rate"))
                .anySatisfy(p -> assertThat(p).startsWith("presence.coalesce"))
                .anySatisfy(p -> assertThat(p).startsWith("presence.colour"));
    }
}
