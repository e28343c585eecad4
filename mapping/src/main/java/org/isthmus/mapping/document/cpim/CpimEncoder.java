package org.isthmus.mapping.document.cpim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes Message/CPIM objects (RFC 3862 §2): headers exactly as the values hold them, each ended by
 * CRLF, the blank separator lines, then the encapsulated object. The values were checked when they
 * were made, so writing cannot fail.
 */
public final class CpimEncoder {

    private CpimEncoder() {
    }

    /** The object's octets: its own MIME headers and a blank line when it has any, then the rest. */
    public static byte[] encode(CpimDocument document) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + document.content().bodyLength());
        if (!document.mimeHeaders().isEmpty()) {
            writeFields(out, document.mimeHeaders());
        }
        for (CpimHeader h : document.headers()) {
            writeLine(out, h.toString());
        }
        writeLine(out, "");
        writeEntity(out, document.content());
        return out.toByteArray();
    }

    /** A MIME entity's octets: its header fields, a blank line, its body (RFC 2045 §3). */
    public static byte[] encode(MimeEntity entity) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + entity.bodyLength());
        writeEntity(out, entity);
        return out.toByteArray();
    }

    private static void writeEntity(ByteArrayOutputStream out, MimeEntity entity) {
        writeFields(out, entity.headers());
        out.writeBytes(entity.body());
    }

    private static void writeFields(ByteArrayOutputStream out, List<MimeHeader> fields) {
        for (MimeHeader h : fields) {
            writeLine(out, h.toString());
        }
        writeLine(out, "");
    }

    private static void writeLine(ByteArrayOutputStream out, String line) {
        out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }
}
