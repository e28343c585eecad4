package org.isthmus.mapping.document.cpim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.TestResources;
import org.isthmus.mapping.document.imdn.Rfc5438Examples;

/**
 * Fuzzes the Message/CPIM reader (RFC 3862) from the examples of RFC 3862 and RFC 5438: every input read
 * as a MESSAGE body, as a multipart part with its own MIME headers, and as a bare MIME entity gives a
 * value or a rejection in bounded time; a document read encodes ({@link CpimEncoder}) back to one equal
 * to it.
 */
class CpimDecoderFuzzTest {

    private static final CpimDecoder DECODER = new CpimDecoder();

    /** Limits small enough that inputs of a few kilobytes reach every one of them. */
    private static final CpimDecoder TIGHT = new CpimDecoder(1024, 4, 80);

    static Stream<byte[]> rfcExamples() {
        Stream<byte[]> imdn = Stream.of(Rfc5438Examples.IM_REQUEST, Rfc5438Examples.DELIVERY, Rfc5438Examples.DISPLAY,
                Rfc5438Examples.PROCESSING).map(Rfc5438Examples::repaired);
        return Stream.concat(TestResources.files("/cpim"), imdn);
    }

    @MethodSource("rfcExamples")
    @FuzzTest
    void decode(byte[] input) {
        TIGHT.decode(input);
        TIGHT.decodeEntity(input);
        Mapped<MimeEntity> entity = DECODER.decodeMimeEntity(input, 0, input.length);
        if (entity instanceof Mapped.Ok<MimeEntity> ok) {
            byte[] encoded = CpimEncoder.encode(ok.value());
            assertThat(DECODER.decodeMimeEntity(encoded, 0, encoded.length)).isEqualTo(entity);
        }
        encodesBack(DECODER.decode(input));
        encodesBack(DECODER.decodeEntity(input));
    }

    private static void encodesBack(Mapped<CpimDocument> document) {
        if (document instanceof Mapped.Ok<CpimDocument> ok) {
            byte[] encoded = CpimEncoder.encode(ok.value());
            Mapped<CpimDocument> back = ok.value().mimeHeaders().isEmpty()
                    ? DECODER.decode(encoded) : DECODER.decodeEntity(encoded);
            assertThat(back).isEqualTo(document);
        }
    }
}
