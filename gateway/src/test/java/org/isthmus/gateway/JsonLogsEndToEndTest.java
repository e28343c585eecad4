package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * {@code isthmus run} with {@code logging.format: json}, in a process of its own as users run it: every
 * line it logs is a JSON object, a REGISTER's line carries its Call-ID as a field, and SIGHUP reloads the
 * logging configuration without stopping the gateway.
 */
class JsonLogsEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private ComponentServer xmpp;
    private TestUserAgent phone;
    private GatewayProcess gateway;

    @AfterEach
    void stop() {
        EndToEnd.closeAll(gateway, phone, xmpp);
    }

    @Test
    void everyLineIsJsonAndTheCorrelationKeysAreFields() throws Exception {
        xmpp = ComponentServer.start("sip.xmpp.test", "json-logs-secret");
        phone = TestUserAgent.start("127.0.0.1");
        int sipPort = TestUserAgent.freePort("127.0.0.1");
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: json-logs-secret}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                logging: {format: json}
                """.formatted(xmpp.port(), sipPort));
        Path log = dir.resolve("gateway.log");
        gateway = GatewayProcess.start(config, log);
        xmpp.awaitConnected(WAIT);

        Request register = phone.request(Request.REGISTER, "sip:127.0.0.1:" + sipPort, "<sip:bob@sip.test>",
                "<sip:bob@sip.test>");
        phone.with(register, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        phone.with(register, "Expires", "300");
        String callId = ((CallIdHeader) register.getHeader(CallIdHeader.NAME)).getCallId();
        // The SIP edge listens before the component link starts, so it listens by now.
        assertThat(phone.send(register, WAIT).getStatusCode()).isEqualTo(200);

        JsonNode registration = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (registration == null) {
            assertThat(System.nanoTime()).as("the registration's log line in %s", log).isLessThan(deadline);
            registration = lines(log).stream().filter(n -> callId.equals(n.path("callId").asText()))
                    .findFirst().orElse(null);
            Thread.sleep(100);
        }
        assertThat(registration.path("level").asText()).isEqualTo("INFO");
        assertThat(registration.path("logger").asText()).isEqualTo("org.isthmus.gateway.registrar.Registrar");
        assertThat(registration.path("aor").asText()).isEqualTo("sip:bob@sip.test");
        assertThat(registration.path("message").asText()).contains("call-id=" + callId);
        assertThat(lines(log)).anySatisfy(n -> assertThat(n.path("message").asText()).startsWith("starting:"));

        // systemctl reload: SIGHUP reads the logging configuration again, and the gateway keeps running.
        gateway.signal("HUP");
        deadline = System.nanoTime() + WAIT.toNanos();
        while (lines(log).stream().noneMatch(n -> n.path("message").asText().startsWith("SIGHUP: logging configuration "
                + "reloaded from "))) {
            assertThat(System.nanoTime()).as("the reload's log line in %s", log).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(gateway.isAlive()).isTrue();
    }

    /** The log as JSON objects; every line from the first JSON one on must be one. */
    private List<JsonNode> lines(Path log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        boolean json = false;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            json |= line.startsWith("{");
            if (json && !line.isEmpty()) {
                JsonNode n = this.json.readTree(line);
                assertThat(n.isObject()).as(line).isTrue();
                assertThat(n.has("time") && n.has("level") && n.has("logger") && n.has("message")).as(line).isTrue();
                out.add(n);
            }
        }
        return out;
    }
}
