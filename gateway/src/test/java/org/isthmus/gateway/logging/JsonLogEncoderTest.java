package org.isthmus.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class JsonLogEncoderTest {

    /** The test's own logback, which has the MDC adapter an event reads. */
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final JsonLogEncoder encoder = new JsonLogEncoder();
    private final ObjectMapper json = new ObjectMapper();

    private LoggingEvent event(String format, Object... arguments) {
        LoggingEvent e = new LoggingEvent("org.isthmus.gateway.routing.Router", context.getLogger("org.isthmus.gateway.routing.Router"),
                Level.INFO, format, null, arguments);
        e.setThreadName("pool-AffinityJAIN-thread-3");
        e.setTimeStamp(1_795_000_000_123L);
        return e;
    }

    private JsonNode encode(LoggingEvent event) throws Exception {
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(line).endsWith("\n");
        assertThat(line.indexOf('\n')).as("one line per event").isEqualTo(line.length() - 1);
        return json.readTree(line);
    }

    @Test
    void theCorrelationKeysOfTheLineBecomeFields() throws Exception {
        JsonNode n = encode(event("sip->xmpp failed call-id={} id={} condition={} status={}",
                "a84b4c76e66710@pc33.atlanta.com", "isth-1234", "item-not-found", 604));

        assertThat(n.get("time").asText()).isEqualTo("2026-11-18T11:06:40.123Z");
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("logger").asText()).isEqualTo("org.isthmus.gateway.routing.Router");
        assertThat(n.get("thread").asText()).isEqualTo("pool-AffinityJAIN-thread-3");
        assertThat(n.get("message").asText()).isEqualTo("sip->xmpp failed call-id=a84b4c76e66710@pc33.atlanta.com "
                + "id=isth-1234 condition=item-not-found status=604");
        assertThat(n.get("callId").asText()).isEqualTo("a84b4c76e66710@pc33.atlanta.com");
        assertThat(n.get("stanzaId").asText()).isEqualTo("isth-1234");
        assertThat(n.get("condition").asText()).isEqualTo("item-not-found");
        assertThat(n.get("status").asText()).isEqualTo("604");
    }

    @Test
    void theSipEdgesSpellingAndPunctuationAreUnderstood() throws Exception {
        JsonNode n = encode(event("xmpp->sip failed id={} to={}: {}", "m1", "sip:bob@sip.test", "timeout"));
        assertThat(n.get("stanzaId").asText()).isEqualTo("m1");
        assertThat(n.get("to").asText()).isEqualTo("sip:bob@sip.test");
        JsonNode sip = encode(event("MESSAGE received callId={} from={}", "c1@h", "sip:bob@sip.test"));
        assertThat(sip.get("callId").asText()).isEqualTo("c1@h");
        // An absent id is written as "-" in the text and left out of the fields.
        assertThat(encode(event("xmpp error for no message in flight id={} from={}", "-", "a@b")).has("stanzaId"))
                .isFalse();
    }

    @Test
    void aPeersLineBreakCannotStartALineOfItsOwnAndMdcCannotOverwriteAField() throws Exception {
        LoggingEvent e = event("refused from={}: {}", "x@y", "bad\r\n{\"level\":\"ERROR\"}");
        e.setMDCPropertyMap(Map.of("level", "FAKE", "node", "a"));
        JsonNode n = encode(e);
        assertThat(n.get("message").asText()).endsWith("bad\r\n{\"level\":\"ERROR\"}");
        assertThat(n.get("level").asText()).isEqualTo("INFO");
        assertThat(n.get("node").asText()).isEqualTo("a");
    }

    @Test
    void anExceptionComesWithItsStackTrace() throws Exception {
        LoggingEvent e = new LoggingEvent("x", context.getLogger("x"), Level.WARN, "failed", new IllegalStateException("boom"),
                null);
        JsonNode n = encode(e);
        assertThat(n.get("exception").asText()).startsWith("java.lang.IllegalStateException: boom")
                .contains("\tat org.isthmus.gateway.logging.JsonLogEncoderTest");
    }
}
