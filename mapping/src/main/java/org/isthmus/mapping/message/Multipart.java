package org.isthmus.mapping.message;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimEncoder;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/** Splits and builds multipart bodies (RFC 2046 §5.1.1), with a cap on the number of parts. */
final class Multipart {

    /** The most parts read from one body. */
    static final int MAX_PARTS = 16;

    private Multipart() {
    }

    /**
     * The parts of a multipart body. The preamble and epilogue are ignored; a body without its closing
     * delimiter is refused as truncated.
     */
    static Mapped<List<MimeEntity>> split(byte[] body, String boundary, CpimDecoder decoder) {
        Mapped<List<int[]>> ranges = partRanges(body, boundary);
        if (ranges instanceof Mapped.Failed<List<int[]>> failed) {
            return Mapped.rejected(failed.rejected());
        }
        List<MimeEntity> parts = new ArrayList<>();
        for (int[] range : ranges.orThrow()) {
            Mapped<MimeEntity> part = decoder.decodeMimeEntity(body, range[0], range[1] - range[0]);
            if (part instanceof Mapped.Failed<MimeEntity> f) {
                return Mapped.rejected(f.rejected());
            }
            parts.add(part.orThrow());
        }
        return Mapped.ok(List.copyOf(parts));
    }

    /**
     * Where each part of a multipart body lies, as {@code [start, end)} offsets, without reading the
     * parts: a signed part must be checked on exactly its own octets (RFC 1847 §2.1).
     */
    static Mapped<List<int[]>> partRanges(byte[] body, String boundary) {
        if (!isBoundary(boundary)) {
            return bad("malformed multipart boundary");
        }
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<int[]> parts = new ArrayList<>();
        int delimiter = find(body, dash, 0, true);
        if (delimiter < 0) {
            return bad("multipart body without its first boundary (RFC 2046 §5.1.1)");
        }
        while (true) {
            int afterDash = delimiter + dash.length;
            if (startsWith(body, afterDash, "--")) {
                return Mapped.ok(List.copyOf(parts));
            }
            int lineEnd = afterDash;
            while (lineEnd < body.length && (body[lineEnd] == ' ' || body[lineEnd] == '\t')) {
                lineEnd++;
            }
            if (!startsWith(body, lineEnd, "\r\n")) {
                return bad("boundary line not ended by CRLF");
            }
            int partStart = lineEnd + 2;
            int next = find(body, dash, partStart, false);
            if (next < 0) {
                return bad("truncated multipart body: no closing boundary");
            }
            if (parts.size() == MAX_PARTS) {
                return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                        "more than " + MAX_PARTS + " body parts", Optional.of(SipStatus.of(413))));
            }
            // The CRLF before a boundary belongs to the boundary, not to the part (§5.1.1).
            parts.add(new int[] {partStart, next - 2});
            delimiter = next;
        }
    }

    /** The body of {@code multipart/alternative} (or any multipart) with the given parts. */
    static byte[] join(List<MimeEntity> parts, String boundary) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (MimeEntity part : parts) {
            out.writeBytes(("--" + boundary + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(CpimEncoder.encode(part));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** A boundary that occurs in none of the parts (RFC 2046 §5.1.1: it must not), chosen without randomness. */
    static String boundaryFor(List<MimeEntity> parts) {
        for (int n = 0; ; n++) {
            String candidate = "isthmus-alt-" + n;
            byte[] b = candidate.getBytes(StandardCharsets.US_ASCII);
            boolean clash = false;
            for (MimeEntity part : parts) {
                clash |= find(CpimEncoder.encode(part), b, 0, true) >= 0;
            }
            if (!clash) {
                return candidate;
            }
        }
    }

    /** RFC 2046 §5.1.1 {@code boundary := 0*69<bchars> bcharsnospace}. */
    static boolean isBoundary(String b) {
        if (b.isEmpty() || b.length() > 70 || b.endsWith(" ")) {
            return false;
        }
        return b.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || "'()+_,-./:=? ".indexOf(c) >= 0);
    }

    /** The index of {@code dash} at the start of the body (if allowed) or right after a CRLF. */
    private static int find(byte[] body, byte[] dash, int from, boolean atStart) {
        for (int i = from; i + dash.length <= body.length; i++) {
            boolean lineStart = (i == 0 && atStart) || (i >= 2 && body[i - 2] == '\r' && body[i - 1] == '\n'
                    && i - 2 >= from);
            if (lineStart && Arrays.equals(body, i, i + dash.length, dash, 0, dash.length)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] body, int at, String s) {
        if (at + s.length() > body.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (body[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST, text, Optional.of(SipStatus.of(400))));
    }
}
