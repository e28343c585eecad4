package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sip.listen.transports may name tls when sip.listen.tls gives its files, alone or with the others. */
class SipTlsConfigTest {

    @TempDir
    Path dir;

    private GatewayConfig withTransports(String transports) throws IOException {
        Path key = Files.writeString(dir.resolve("sip.key"), "key");
        Path chain = Files.writeString(dir.resolve("sip.pem"), "chain");
        return GatewayConfig.parse("test.yaml", BASE + """
                sip:
                  listen:
                    transports: %s
                    tls: {port: 5061, key: "%s", chain: "%s"}
                """.formatted(transports, key, chain), name -> null);
    }

    @Test
    void tlsListedWithTheOthers() throws IOException {
        assertThat(withTransports("[udp, tcp, tls]").sip().transports()).containsExactlyInAnyOrder("udp", "tcp", "tls");
    }

    @Test
    void tlsAlone() throws IOException {
        assertThat(withTransports("[tls]").sip().transports()).containsExactly("tls");
    }

    @Test
    void tlsAddedByItsSettingsWhenNotListed() throws IOException {
        assertThat(withTransports("[udp]").sip().transports()).containsExactlyInAnyOrder("udp", "tls");
    }
}
