package org.isthmus.mapping.document.pidf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.QuietConsole;
import org.isthmus.mapping.TestResources;

/**
 * Fuzzes {@link PidfParser} with arbitrary bodies, starting from the RFC examples in {@code pidf/}:
 * every body gives a document or a rejection, quietly and in bounded time, under both the default and
 * tight limits; a document read writes back ({@link PidfWriter}) to the same document.
 */
class PidfParserFuzzTest {

    private static final PidfParser PARSER = new PidfParser();

    /** Limits small enough that inputs of a few kilobytes reach every one of them. */
    private static final PidfParser TIGHT = new PidfParser(2048, 4, 24, 4, 128);

    static Stream<byte[]> rfcExamples() {
        return TestResources.files("/pidf");
    }

    @MethodSource("rfcExamples")
    @FuzzTest
    void parse(byte[] body) {
        QuietConsole.call(() -> TIGHT.parse(body));
        Mapped<PresenceDocument> parsed = QuietConsole.call(() -> PARSER.parse(body));
        if (parsed instanceof Mapped.Ok<PresenceDocument> ok) {
            Mapped<PresenceDocument> back = PARSER.parse(PidfWriter.write(ok.value()));
            assertThat(back).isEqualTo(parsed);
        }
    }
}
