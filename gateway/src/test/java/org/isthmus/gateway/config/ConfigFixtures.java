package org.isthmus.gateway.config;

import java.util.List;

/** What the section tests of gateway.yaml share: a minimal valid file and the problems of a refused one. */
final class ConfigFixtures {

    /** The smallest valid configuration: a component and one XMPP domain. */
    static final String BASE = """
            xmpp:
              component: {domain: sip.xmpp.test, secret: s3cret}
              domains: [xmpp.test]
            """;

    private ConfigFixtures() {
    }

    /** The problems, as reported, of a configuration that must be refused. */
    static List<String> problems(String yaml) {
        try {
            GatewayConfig.parse("test.yaml", yaml, name -> null);
        } catch (ConfigException e) {
            return e.problems().stream().map(ConfigProblem::describe).toList();
        }
        throw new AssertionError("expected the configuration to be refused");
    }
}
