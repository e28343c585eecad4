package org.isthmus.xmpp.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link XmppStreamDecoder} with arbitrary bytes in an {@code EmbeddedChannel}, starting from a
 * captured XEP-0114 session: nothing is thrown through the pipeline and nothing written back; the
 * events form a stream (the header first, nothing after a failure or the close, a failure only with a
 * condition the decoder documents); and the bytes fed whole, one at a time, or split at positions
 * drawn from the input give the same events, the failure at the same place. Which condition that
 * failure has may differ when the input breaks two rules close together, as Aalto decodes a run of
 * text only when it is asked for it, whole: text between stanzas with a malformed byte further on is
 * bad-format if the parser saw the text before that byte arrived, not-well-formed if it saw both at
 * once. A decoder with tight limits is held to the same rules but the last, as where a limit stops
 * the stream depends on how the bytes arrive.
 */
class XmppStreamDecoderFuzzTest {

    /** The conditions the decoder's javadoc names; anything else (internal-server-error) is a bug. */
    private static final Set<StreamErrorCondition> DOCUMENTED = EnumSet.of(StreamErrorCondition.RESTRICTED_XML,
            StreamErrorCondition.POLICY_VIOLATION, StreamErrorCondition.NOT_WELL_FORMED, StreamErrorCondition.BAD_FORMAT,
            StreamErrorCondition.INVALID_NAMESPACE, StreamErrorCondition.UNSUPPORTED_ENCODING);

    /**
     * Aalto refuses "]]>" in character data (XML 1.0 §2.4) only when the text around it came in one
     * buffer; otherwise the text reads as the literal "]]>". Inputs that hold it are not compared across
     * splits (known and left: the data is kept and written back escaped).
     */
    private static final byte[] CDATA_END = {']', ']', '>'};

    /** Inputs up to this length are also fed one byte at a time. */
    private static final int BYTEWISE_MAX = 1024;

    static Stream<byte[]> captures() throws IOException {
        return Stream.of(XmppStreamDecoderTest.prosodySession());
    }

    @MethodSource("captures")
    @FuzzTest
    void decode(byte[] input) {
        List<Object> whole = comparable(checked(decode(new XmppStreamDecoder(), input, input.length)));
        Random random = new Random(Arrays.hashCode(input));
        List<Object> split = comparable(checked(decode(new XmppStreamDecoder(), input, 1 + random.nextInt(64))));
        List<Object> bytewise = input.length <= BYTEWISE_MAX
                ? comparable(checked(decode(new XmppStreamDecoder(), input, 1))) : whole;
        if (!contains(input, CDATA_END)) {
            assertThat(split).isEqualTo(whole);
            assertThat(bytewise).isEqualTo(whole);
        }
        checked(decode(new XmppStreamDecoder(512, 4, 4), input, 1 + random.nextInt(64)));
    }

    private static boolean contains(byte[] input, byte[] part) {
        for (int i = 0; i + part.length <= input.length; i++) {
            if (Arrays.equals(input, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    /** Every event the decoder emits for {@code input} written in chunks of {@code chunk} bytes. */
    private static List<StreamEvent> decode(XmppStreamDecoder decoder, byte[] input, int chunk) {
        int size = Math.max(1, chunk);
        byte[][] chunks = new byte[(input.length + size - 1) / size][];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = Arrays.copyOfRange(input, i * size, Math.min(input.length, (i + 1) * size));
        }
        return XmppStreamDecoderTest.decode(decoder, chunks);
    }

    /** The events, checked to form a stream (RFC 6120 §4): header first, nothing after the end. */
    private static List<StreamEvent> checked(List<StreamEvent> events) {
        for (int i = 0; i < events.size(); i++) {
            StreamEvent e = events.get(i);
            if (i == 0) {
                assertThat(e).isInstanceOfAny(StreamEvent.Open.class, StreamEvent.Failure.class);
            } else {
                assertThat(e).isNotInstanceOf(StreamEvent.Open.class);
            }
            if (e instanceof StreamEvent.Failure f) {
                assertThat(DOCUMENTED).contains(f.error().condition());
            }
            if (e instanceof StreamEvent.Failure || e instanceof StreamEvent.Close) {
                assertThat(i).as("an event after the stream ended").isEqualTo(events.size() - 1);
            }
        }
        return events;
    }

    /** The events with each failure reduced to the fact of it (see the class comment). */
    private static List<Object> comparable(List<StreamEvent> events) {
        return events.stream().map(e -> e instanceof StreamEvent.Failure ? StreamEvent.Failure.class : e).toList();
    }
}
