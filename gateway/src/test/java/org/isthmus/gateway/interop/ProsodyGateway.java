package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.isthmus.gateway.Gateway;
import org.isthmus.gateway.config.GatewayConfig;

/** A real Isthmus attached to a {@link ProsodyServer} as its XEP-0114 component, the way the interop tests run it. */
final class ProsodyGateway {

    private ProsodyGateway() {
    }

    /**
     * Starts a gateway on {@code sipPort} attached to {@code prosody} and waits for its component link.
     *
     * @param componentOptions extra entries for {@code xmpp.component}, e.g. {@code ", ping-interval: 300ms"}
     * @param sipOptions       extra lines under {@code sip:}, each indented by two spaces
     */
    static Gateway start(ProsodyServer prosody, int sipPort, String componentOptions, String sipOptions,
                         Duration wait) {
        return start(prosody, sipPort, componentOptions, sipOptions, "", wait);
    }

    /**
     * As {@link #start(ProsodyServer, int, String, String, Duration)}, with more top-level sections.
     *
     * @param sections further top-level YAML, e.g. {@code "admin: {port: 0}\n"}
     */
    static Gateway start(ProsodyServer prosody, int sipPort, String componentOptions, String sipOptions,
                         String sections, Duration wait) {
        GatewayConfig config = GatewayConfig.parse("interop", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: %s, secret: %s,
                              reconnect: {initial: 200ms, max: 2s}%s}
                  domains: [%s]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                %s%s""".formatted(prosody.componentPort(), prosody.componentDomain(), prosody.componentSecret(),
                componentOptions, prosody.domain(), sipPort, sipOptions, sections), name -> null);
        Gateway gateway = new Gateway(config);
        gateway.start();
        awaitLink(gateway, prosody, true, wait);
        return gateway;
    }

    /** Waits, at most {@code wait}, until the gateway's component link is up (or down). */
    static void awaitLink(Gateway gateway, ProsodyServer prosody, boolean up, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (gateway.isXmppUp() != up) {
            assertThat(System.nanoTime()).as("XMPP link up=%s within %s; Prosody log:%n%s", up, wait,
                    prosody.diagnostics()).isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(50));
        }
    }
}
