package org.isthmus.gateway.logging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

/**
 * A logback encoder that writes each event as one line of JSON (RFC 8259; JSON Lines), for log
 * collectors that index fields: {@code time} (ISO-8601 UTC), {@code level}, {@code logger},
 * {@code thread}, {@code message}, then the correlation keys found in the message, then the MDC and
 * any SLF4J key-value pairs, then {@code exception} with the stack trace.
 *
 * <p>The correlation keys are the {@code key=value} pairs Isthmus's log lines carry (STYLE.md rule 7),
 * lifted into fields of their own so that a search needs no pattern: {@code call-id=} and
 * {@code callId=} become {@code callId}, {@code id=} becomes {@code stanzaId}, and {@code from},
 * {@code to}, {@code peer}, {@code status}, {@code condition}, {@code aor} keep their names. The
 * message stays whole as well. JSON escaping keeps a peer's CR or LF from starting a line of its own.
 *
 * <p>Used by {@code conf/logback-json.xml}, and by {@code logging.format: json} in the configuration ({@link LogConfiguration}).
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

    /** {@code key=value} in a log line: the value runs to the next space; a trailing , ; or : is dropped. */
    private static final Pattern PAIR = Pattern.compile(
            "(?<![\\w-])(call-id|callId|id|from|to|peer|status|condition|aor)=([^\\s]+?)[,;:]?(?=\\s|$)");
    /** The field each key of {@link #PAIR} goes to. */
    private static final Map<String, String> FIELDS = Map.of("call-id", "callId", "callId", "callId",
            "id", "stanzaId", "from", "from", "to", "to", "peer", "peer", "status", "status",
            "condition", "condition", "aor", "aor");
    private static final byte[] NEWLINE = {'\n'};

    private final JsonFactory json = new JsonFactory();

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        // A name is written once: the MDC or a key-value pair cannot overwrite a field written before it.
        Set<String> written = new HashSet<>();
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            field(g, written, "time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            field(g, written, "level", event.getLevel().toString());
            field(g, written, "logger", event.getLoggerName());
            field(g, written, "thread", event.getThreadName());
            String message = event.getFormattedMessage() == null ? "" : event.getFormattedMessage();
            field(g, written, "message", message);
            Matcher m = PAIR.matcher(message);
            while (m.find()) {
                // The first value of each key: a line names its own call before any other it mentions.
                if (!m.group(2).equals("-")) {
                    field(g, written, FIELDS.get(m.group(1)), m.group(2));
                }
            }
            for (Map.Entry<String, String> e : event.getMDCPropertyMap().entrySet()) {
                field(g, written, e.getKey(), e.getValue());
            }
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair p : pairs) {
                    field(g, written, p.key, String.valueOf(p.value));
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                field(g, written, "exception", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail.
            throw new UncheckedIOException(e);
        }
        out.writeBytes(NEWLINE);
        return out.toByteArray();
    }

    private static void field(JsonGenerator g, Set<String> written, String name, String value) throws IOException {
        if (name != null && value != null && written.add(name)) {
            g.writeStringField(name, value);
        }
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }
}
