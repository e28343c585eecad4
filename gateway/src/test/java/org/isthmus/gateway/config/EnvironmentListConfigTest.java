package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code ${VAR}} in list items, as in single values (e.g. a Redis password in store.redis-uris). */
class EnvironmentListConfigTest {

    private static final String YAML = """
            xmpp:
              component: {domain: sip.xmpp.test, secret: s3cret}
              domains: ["${USER_DOMAIN}", "${OTHER_DOMAIN:-other.test}"]
            """;

    @Test
    void listItemsTakeEnvironmentValuesAndDefaults() {
        GatewayConfig c = GatewayConfig.parse("test.yaml", YAML, Map.of("USER_DOMAIN", "xmpp.test")::get);
        assertThat(c.xmppDomains()).containsExactlyInAnyOrder("xmpp.test", "other.test");
    }

    @Test
    void anUnsetVariableInAListIsReportedAtItsIndex() {
        try {
            GatewayConfig.parse("test.yaml", YAML, name -> null);
        } catch (ConfigException e) {
            List<String> problems = e.problems().stream().map(ConfigProblem::describe).toList();
            assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("xmpp.domains[0]").contains("USER_DOMAIN"));
            return;
        }
        throw new AssertionError("expected the configuration to be refused");
    }
}
