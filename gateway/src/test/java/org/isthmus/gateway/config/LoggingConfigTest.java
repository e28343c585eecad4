package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The {@code logging} section of gateway.yaml. */
class LoggingConfigTest {

    @Test
    void withoutTheSectionTheLogsAreTextWithoutBodies() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE, name -> null);
        assertThat(c.logging()).isEqualTo(LoggingSettings.DEFAULT);
        assertThat(c.logging().logBodies()).isFalse();
        assertThat(c.sip().logBodies()).isFalse();
    }

    @Test
    void jsonAndBodiesWhenAsked() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + "logging: {format: json, log-bodies: true}\n",
                name -> null);
        assertThat(c.logging()).isEqualTo(new LoggingSettings(LoggingSettings.Format.JSON, true));
    }

    @Test
    void theShippedFileLogsTextWithoutBodies() {
        assertThat(GatewayConfig.load(Path.of("../conf/gateway.yaml"), name -> null).logging())
                .isEqualTo(LoggingSettings.DEFAULT);
    }

    @Test
    void mistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE + "logging: {format: xml, log-bodies: sometimes, level: debug}\n"))
                .anySatisfy(p -> assertThat(p).startsWith("logging.format").contains("json"))
                .anySatisfy(p -> assertThat(p).startsWith("logging.log-bodies"))
                .anySatisfy(p -> assertThat(p).startsWith("logging.level"))
                .hasSize(3);
    }
}
