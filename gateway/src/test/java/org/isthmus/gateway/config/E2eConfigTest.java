package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.e2e.SmimeObjects;

/** The {@code e2e} section of gateway.yaml: end-to-end objects (RFC 3923) and signature checks. */
class E2eConfigTest {

    @TempDir
    Path dir;

    private Path trustStore(int certificates) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (int i = 0; i < certificates; i++) {
            pem.append(SmimeObjects.pem(SmimeObjects.ca().certificate()));
        }
        Path file = dir.resolve("trust.pem");
        Files.writeString(file, pem, StandardCharsets.US_ASCII);
        return file;
    }

    @Test
    void withoutTheSectionSignaturesAreNotChecked() {
        assertThat(GatewayConfig.parse("test.yaml", BASE, name -> null).e2e()).isEqualTo(E2eSettings.off());
    }

    @Test
    void eachModeReadsEveryCertificateOfTheTrustStore() throws IOException {
        Path trust = trustStore(2);
        for (E2eSettings.Verify mode : new E2eSettings.Verify[] {E2eSettings.Verify.PASS, E2eSettings.Verify.TAG,
            E2eSettings.Verify.REJECT}) {
            E2eSettings e2e = GatewayConfig.parse("test.yaml", BASE + "e2e: {verify: " + mode.configName()
                    + ", trust-store: '" + trust + "'}\n", name -> null).e2e();
            assertThat(e2e.verify()).isEqualTo(mode);
            assertThat(e2e.trustStore()).hasValue(trust);
            assertThat(e2e.trusted()).hasSize(2);
        }
    }

    @Test
    void mistakesAreReportedWithTheirPathsAndTheFix() throws IOException {
        assertThat(problems(BASE + "e2e: {verify: tag}\n")).singleElement()
                .satisfies(p -> assertThat(p).startsWith("e2e.trust-store").contains("PEM"));
        assertThat(problems(BASE + "e2e: {verify: sometimes, colour: blue}\n"))
                .anySatisfy(p -> assertThat(p).startsWith("e2e.verify").contains("off").contains("reject"))
                .anySatisfy(p -> assertThat(p).startsWith("e2e.colour"));
        assertThat(problems(BASE + "e2e: {verify: reject, trust-store: '" + dir.resolve("missing.pem") + "'}\n"))
                .singleElement().satisfies(p -> assertThat(p).startsWith("e2e.trust-store").contains("no readable file"));
        Path empty = Files.writeString(dir.resolve("empty.pem"), "no certificates here\n");
        assertThat(problems(BASE + "e2e: {verify: reject, trust-store: '" + empty + "'}\n"))
                .singleElement().satisfies(p -> assertThat(p).startsWith("e2e.trust-store")
                        .contains("BEGIN CERTIFICATE"));
        assertThat(problems(BASE + "e2e: {trust-store: '" + trustStore(1) + "'}\n"))
                .singleElement().satisfies(p -> assertThat(p).startsWith("e2e.trust-store").contains("set verify"));
    }
}
