package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.gateway.routing.SipRoute;
import org.isthmus.sip.SipHop;

/**
 * docker-compose.yml cannot run here (no Docker), so what can be checked without it is: every file it
 * mounts exists, every {@code @TOKEN@} of a mounted template is filled in by the service's command,
 * and the gateway's configuration, with the environment compose gives it, is valid and points at the
 * other services' fixed addresses. The templates and conf/docker/gateway.yaml are the files the
 * interop tests run (ProsodyServer, KamailioServer, OpsCommandsInteropTest).
 */
class DockerComposeTest {

    private static final Path ROOT = Path.of("..");
    /** {@code ${NAME}} or {@code ${NAME:-default}}, as compose interpolates them. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern TOKEN = Pattern.compile("@([A-Z0-9_]+)@");
    private static final Pattern SED_TOKEN = Pattern.compile("s\\|@([A-Z0-9_]+)@\\|");

    private JsonNode services;
    private JsonNode compose;

    @BeforeEach
    void read() throws IOException {
        compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
    }

    @Test
    void isthmusProsodyKamailioAndRedisAreThere() {
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("isthmus", "kamailio", "prosody", "redis");
    }

    @Test
    void everyMountedFileExistsOrIsTheJarTheBuildMakes() throws IOException {
        int files = 0;
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (!source.startsWith("./")) {
                    assertThat(compose.path("volumes").has(source)).as("named volume %s of %s is declared", source,
                            service.getKey()).isTrue();
                    continue;
                }
                files++;
                if (source.equals("./gateway/target/isthmus.jar")) {
                    // Built by mvn package: the gateway module's finalName.
                    assertThat(Files.readString(ROOT.resolve("gateway/pom.xml"))).contains("<finalName>isthmus</finalName>");
                    continue;
                }
                assertThat(ROOT.resolve(source)).as("%s mounted by %s", source, service.getKey()).isRegularFile();
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(5);
    }

    @Test
    void theProsodyAndKamailioServicesFillInEveryTokenOfTheInteropTemplates() throws IOException {
        for (String service : new String[] {"prosody", "kamailio"}) {
            String template = null;
            for (JsonNode volume : services.path(service).path("volumes")) {
                if (volume.asText().contains("conf/interop/")) {
                    template = volume.asText().split(":")[0];
                }
            }
            assertThat(template).as("%s mounts a template of conf/interop/", service).isNotNull();
            // The tokens of the configuration proper: comments (Lua's --, Kamailio's # but not its #! directives)
            // name them too, and a token there left as it is does no harm.
            String text = String.join("\n", Files.readAllLines(ROOT.resolve(template), StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.strip().startsWith("--") && !(l.strip().startsWith("#") && !l.strip().startsWith("#!")))
                    .toList());
            Set<String> tokens = matches(TOKEN, text);
            StringBuilder command = new StringBuilder();
            services.path(service).path("command").forEach(part -> command.append(part.asText()).append(' '));
            assertThat(matches(SED_TOKEN, command.toString())).as("tokens %s fills in", service)
                    .isEqualTo(tokens).isNotEmpty();
        }
    }

    @Test
    void theGatewaysConfigurationIsValidAndPointsAtTheOtherServices() throws IOException {
        JsonNode isthmus = services.path("isthmus");
        Map<String, String> environment = new HashMap<>();
        isthmus.path("environment").properties().forEach(e -> environment.put(e.getKey(),
                interpolate(e.getValue().asText())));
        String mounted = null;
        for (JsonNode volume : isthmus.path("volumes")) {
            if (volume.asText().endsWith(":/etc/isthmus/gateway.yaml:ro")) {
                mounted = volume.asText().split(":")[0];
            }
        }
        assertThat(mounted).isEqualTo("./conf/docker/gateway.yaml");
        StringBuilder command = new StringBuilder();
        isthmus.path("command").forEach(part -> command.append(part.asText()).append(' '));
        assertThat(command.toString()).contains("run --config /etc/isthmus/gateway.yaml");

        // What check-config validates first; it throws with every problem's path otherwise.
        Path file = ROOT.resolve(mounted);
        GatewayConfig config = GatewayConfig.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8),
                environment::get);

        assertThat(config.components()).singleElement().satisfies(c -> {
            assertThat(c.host()).isEqualTo(address("prosody"));
            assertThat(c.port()).isEqualTo(5347);
            assertThat(c.secret()).isEqualTo("change-me");
        });
        assertThat(config.routes().get("sip.test")).isEqualTo(new SipRoute.Hop(new SipHop(address("kamailio"), 5060,
                "udp")));
        assertThat(config.store().orElseThrow().redisUris()).containsExactly("redis://" + address("redis") + ":6379");
        assertThat(config.sip().advertisedHost()).contains(address("isthmus"));
        assertThat(config.admin().orElseThrow().testIm()).isTrue();
        assertThat(config.admin().orElseThrow().port()).isEqualTo(8080);
    }

    private String address(String service) {
        return services.path(service).path("networks").path("isthmus").path("ipv4_address").asText();
    }

    /** Compose's own interpolation of the service's environment: the default, as nothing is set here. */
    private static String interpolate(String value) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return new TreeSet<>(found);
    }
}
