package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The {@code admin} section of gateway.yaml. */
class AdminConfigTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @Test
    void withoutTheSectionThereIsNoAdminServer() {
        assertThat(GatewayConfig.parse("test.yaml", BASE, name -> null).admin()).isEmpty();
    }

    @Test
    void anEmptySectionListensOnLoopbackWithoutAToken() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + "admin: {}\n", name -> null);
        assertThat(c.admin()).contains(new AdminSettings("127.0.0.1", 8080, Optional.empty()));
        assertThat(c.admin().orElseThrow().isLoopback()).isTrue();
    }

    @Test
    void theShippedFileHasTheAdminServerOnLoopback() {
        GatewayConfig c = GatewayConfig.load(Path.of("../conf/gateway.yaml"), name -> null);
        assertThat(c.admin()).contains(new AdminSettings(AdminSettings.DEFAULT_ADDRESS, AdminSettings.DEFAULT_PORT,
                Optional.empty()));
    }

    @Test
    void everyKeyIsReadAndTheTokenMayComeFromTheEnvironment() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE + """
                admin:
                  address: 0.0.0.0
                  port: 0
                  token: ${ADMIN_TOKEN}
                """, Map.of("ADMIN_TOKEN", TOKEN)::get);
        assertThat(c.admin()).contains(new AdminSettings("0.0.0.0", 0, Optional.of(TOKEN)));
        assertThat(c.admin().orElseThrow().isLoopback()).isFalse();
        assertThat(GatewayConfig.parse("test.yaml", BASE + "admin: {address: '::1'}\n", name -> null)
                .admin().orElseThrow().isLoopback()).isTrue();
    }

    @Test
    void theTokenIsNeverPrinted() {
        AdminSettings s = new AdminSettings("127.0.0.1", 8080, Optional.of(TOKEN));
        assertThat(s.toString()).doesNotContain(TOKEN).contains("token=(set)");
        assertThat(problems(BASE + "admin: {token: 'short secret!'}\n"))
                .singleElement().satisfies(p -> assertThat(p).startsWith("admin.token").doesNotContain("short secret"));
    }

    @Test
    void mistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE + """
                admin:
                  address: localhost
                  port: 70000
                  token: too-short
                  colour: blue
                """)).anySatisfy(p -> assertThat(p).startsWith("admin.address"))
                .anySatisfy(p -> assertThat(p).startsWith("admin.port"))
                .anySatisfy(p -> assertThat(p).startsWith("admin.token"))
                .anySatisfy(p -> assertThat(p).startsWith("admin.colour"))
                .hasSize(4);
        assertThat(problems(BASE + "admin: {address: 256.1.1.1}\n")).singleElement()
                .satisfies(p -> assertThat(p).startsWith("admin.address"));
        assertThat(problems(BASE + "admin: 8080\n")).singleElement()
                .satisfies(p -> assertThat(p).startsWith("admin"));
    }

    @Test
    void testImIsOffByDefaultAndNeedsAToken() {
        assertThat(GatewayConfig.parse("test.yaml", BASE + "admin: {token: " + TOKEN + "}\n", name -> null)
                .admin().orElseThrow().testIm()).isFalse();
        assertThat(GatewayConfig.parse("test.yaml", BASE + "admin: {token: " + TOKEN + ", test-im: true}\n",
                name -> null).admin().orElseThrow().testIm()).isTrue();
        assertThat(problems(BASE + "admin: {test-im: true}\n")).singleElement().satisfies(p ->
                assertThat(p).startsWith("admin.test-im").contains("needs admin.token"));
    }
}
