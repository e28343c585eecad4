package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.isthmus.gateway.config.ConfigFixtures.BASE;
import static org.isthmus.gateway.config.ConfigFixtures.problems;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.isthmus.sip.SipMessageLimits;
import org.isthmus.xmpp.s2s.S2sSettings;
import org.isthmus.xmpp.stream.XmppStreamDecoder;

/** The resource bounds of the edges (issue 9): stanza and message deadlines, sizes, connection counts. */
class BoundsConfigTest {

    private static final String S2S = """
            xmpp:
              domains: [xmpp.test]
              s2s:
                gateway-domain: gw.test
                dialback-secret: a-long-enough-secret
                require-tls: false
            """;

    @Test
    void withoutTheKeysTheDefaultsHold() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE, name -> null);
        assertThat(c.sip().messageLimits()).isEqualTo(SipMessageLimits.DEFAULT);
        assertThat(c.component().orElseThrow().stanzaTimeout()).isEqualTo(XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT);
        S2sSettings s2s = GatewayConfig.parse("test.yaml", S2S, name -> null).s2s().orElseThrow();
        assertThat(s2s.stanzaTimeout()).isEqualTo(XmppStreamDecoder.DEFAULT_STANZA_TIMEOUT);
        assertThat(s2s.negotiationTimeout()).isEqualTo(S2sSettings.DEFAULT_NEGOTIATION_TIMEOUT);
        assertThat(s2s.maxInboundStreams()).isEqualTo(S2sSettings.DEFAULT_MAX_INBOUND_STREAMS);
    }

    @Test
    void everyKeyIsRead() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", BASE.replace("secret: s3cret}",
                "secret: s3cret, stanza-timeout: 20s}") + """
                sip:
                  listen:
                    max-message-bytes: 32768
                    max-headers: 100
                    max-header-bytes: 4096
                    message-timeout: 5s
                    max-tcp-connections: 200
                """, name -> null);
        assertThat(c.sip().messageLimits()).isEqualTo(new SipMessageLimits(32768, 100, 4096, Duration.ofSeconds(5), 200));
        assertThat(c.component().orElseThrow().stanzaTimeout()).isEqualTo(Duration.ofSeconds(20));
        S2sSettings s2s = GatewayConfig.parse("test.yaml", S2S + """
                    stanza-timeout: 15s
                    negotiation-timeout: 45s
                    max-inbound-streams: 300
                """, name -> null).s2s().orElseThrow();
        assertThat(s2s.stanzaTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s2s.negotiationTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s2s.maxInboundStreams()).isEqualTo(300);
    }

    @Test
    void mistakesAreReportedWithTheirPaths() {
        assertThat(problems(BASE.replace("secret: s3cret}", "secret: s3cret, stanza-timeout: 0s}") + """
                sip:
                  listen:
                    max-message-bytes: 100
                    max-headers: 0
                    max-header-bytes: 70000
                    message-timeout: soon
                    max-tcp-connections: -1
                """)).anySatisfy(p -> assertThat(p).startsWith("xmpp.component.stanza-timeout"))
                .anySatisfy(p -> assertThat(p).startsWith("sip.listen.max-message-bytes"))
                .anySatisfy(p -> assertThat(p).startsWith("sip.listen.max-headers"))
                .anySatisfy(p -> assertThat(p).startsWith("sip.listen.max-header-bytes"))
                .anySatisfy(p -> assertThat(p).startsWith("sip.listen.message-timeout"))
                .anySatisfy(p -> assertThat(p).startsWith("sip.listen.max-tcp-connections"));
        assertThat(problems(S2S + """
                    max-inbound-streams: 0
                    negotiation-timeout: 1h
                """)).anySatisfy(p -> assertThat(p).startsWith("xmpp.s2s.max-inbound-streams"))
                .anySatisfy(p -> assertThat(p).startsWith("xmpp.s2s.negotiation-timeout"));
    }
}
