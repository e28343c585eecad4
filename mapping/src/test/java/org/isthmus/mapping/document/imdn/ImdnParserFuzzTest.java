package org.isthmus.mapping.document.imdn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.QuietConsole;
import org.isthmus.mapping.document.XmlLimits;

/**
 * Fuzzes {@link ImdnParser} (RFC 5438 §11.1) with arbitrary payloads, starting from the RFC's
 * notifications: a document or a rejection, quietly and in bounded time, under both the default and
 * tight limits; a document read writes back ({@link ImdnWriter}) to the same document.
 */
class ImdnParserFuzzTest {

    private static final ImdnParser PARSER = new ImdnParser();

    /** Limits small enough that inputs of a few kilobytes reach every one of them. */
    private static final ImdnParser TIGHT = new ImdnParser(new XmlLimits(1024, 3, 12, 3, 64));

    static Stream<byte[]> rfcExamples() {
        return Stream.of(Rfc5438Examples.DELIVERY, Rfc5438Examples.DISPLAY, Rfc5438Examples.PROCESSING)
                .map(Rfc5438Examples::payload);
    }

    @MethodSource("rfcExamples")
    @FuzzTest
    void parse(byte[] payload) {
        QuietConsole.call(() -> TIGHT.parse(payload));
        Mapped<ImdnDocument> parsed = QuietConsole.call(() -> PARSER.parse(payload));
        if (parsed instanceof Mapped.Ok<ImdnDocument> ok) {
            assertThat(PARSER.parse(ImdnWriter.write(ok.value()))).isEqualTo(parsed);
        }
    }
}
