package org.isthmus.mapping.document.cpim;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Reads Message/CPIM objects (RFC 3862) strictly and within limits. Every malformed or oversized input
 * ends in a {@link Rejected} that names the octet offset where reading stopped; nothing is thrown.
 *
 * <p>Strictness, by RFC 3862 section: lines end in CRLF and a bare CR or LF is refused (§2.2);
 * message headers are one line each, with no leading or trailing white space, no control characters,
 * exactly one space after the name, colon and parameters, and valid UTF-8 (§2.2, §3.6; the older
 * 5- and 6-octet forms of §3.6 are refused, as RFC 3629 requires); namespace prefixes are declared
 * before use (§3.4); the core headers of §4 follow their syntax; the encapsulated object has a
 * Content-Type (§2.4). MIME header fields (of the object itself and of its content) may be folded
 * (RFC 5322 §2.2.3). §2.2 asks processors not to limit line length; a gateway facing untrusted peers
 * must, so the limit is a constructor argument.
 *
 * <p>An instance holds only its limits, so one can be shared between threads.
 */
public final class CpimDecoder {

    /** The largest object read, in octets; well above RFC 3428 §7's 1300-octet pager-mode guidance. */
    public static final int DEFAULT_MAX_BYTES = 64 * 1024;
    /** The most header lines read in one header section. */
    public static final int DEFAULT_MAX_HEADERS = 64;
    /** The longest header line read, in octets without its CRLF. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 4096;

    private final int maxBytes;
    private final int maxHeaders;
    private final int maxLineLength;

    public CpimDecoder() {
        this(DEFAULT_MAX_BYTES, DEFAULT_MAX_HEADERS, DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * @param maxBytes      the largest object read, in octets
     * @param maxHeaders    the most header lines in one section (message headers, or MIME fields)
     * @param maxLineLength the longest header line, in octets without its CRLF
     */
    public CpimDecoder(int maxBytes, int maxHeaders, int maxLineLength) {
        if (maxBytes <= 0 || maxHeaders <= 0 || maxLineLength <= 0) {
            throw new MappingException("CPIM limits must be positive");
        }
        this.maxBytes = maxBytes;
        this.maxHeaders = maxHeaders;
        this.maxLineLength = maxLineLength;
    }

    /**
     * Reads a Message/CPIM object whose own MIME headers the enclosing protocol carries, as the body of
     * a SIP MESSAGE with {@code Content-Type: message/cpim} does: message headers, a blank line, the
     * encapsulated MIME object.
     */
    public Mapped<CpimDocument> decode(byte[] body) {
        return run(body, false);
    }

    /**
     * Reads a Message/CPIM object with its own MIME headers first (RFC 3862 §2, the {@code m:} lines),
     * as a part of a multipart body carries it; their Content-Type must be {@code message/cpim}.
     */
    public Mapped<CpimDocument> decodeEntity(byte[] entity) {
        return run(entity, true);
    }

    /**
     * Reads a MIME entity (header fields, a blank line, the body) from a range of octets, as one part
     * of a multipart body (RFC 2046 §5.1.1). A part may have no header fields at all.
     */
    public Mapped<MimeEntity> decodeMimeEntity(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new MappingException("range outside the array");
        }
        if (length > maxBytes) {
            return tooLarge(length);
        }
        try {
            Reader r = new Reader(bytes, offset, offset + length);
            List<MimeHeader> headers = r.mimeHeaders();
            return Mapped.ok(new MimeEntity(headers, Arrays.copyOfRange(bytes, r.pos, r.end)));
        } catch (Malformed e) {
            return malformed(e);
        }
    }

    private Mapped<CpimDocument> run(byte[] bytes, boolean withMimeHeaders) {
        if (bytes.length > maxBytes) {
            return tooLarge(bytes.length);
        }
        try {
            Reader r = new Reader(bytes, 0, bytes.length);
            List<MimeHeader> own = List.of();
            if (withMimeHeaders) {
                own = r.mimeHeaders();
                Optional<String> type = own.stream().filter(h -> h.is("Content-Type")).map(MimeHeader::value).findFirst();
                if (type.isEmpty() || !isMessageCpim(type.get())) {
                    throw new Malformed(0, "the entity's Content-Type is not message/cpim (RFC 3862 §2.1)");
                }
            }
            List<CpimHeader> headers = r.cpimHeaders();
            int contentStart = r.pos;
            if (r.pos == r.end) {
                throw new Malformed(r.pos, "truncated: no encapsulated MIME object (RFC 3862 §2.4)");
            }
            List<MimeHeader> contentHeaders = r.mimeHeaders();
            MimeEntity content = new MimeEntity(contentHeaders, Arrays.copyOfRange(bytes, r.pos, r.end));
            Optional<String> error = CpimDocument.check(headers, content);
            if (error.isPresent()) {
                throw new Malformed(contentStart, error.get());
            }
            return Mapped.ok(new CpimDocument(own, headers, content));
        } catch (Malformed e) {
            return malformed(e);
        } catch (MappingException e) {
            // A value's own check refused what the reader let through: still the peer's input, still a value.
            return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST,
                    "malformed Message/CPIM: " + e.getMessage(), Optional.of(SipStatus.of(400))));
        }
    }

    static boolean isMessageCpim(String contentType) {
        int semi = contentType.indexOf(';');
        String base = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return base.equals("message/cpim");
    }

    private <T> Mapped<T> tooLarge(int length) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                "Message/CPIM object of " + length + " octets exceeds the limit of " + maxBytes,
                Optional.of(SipStatus.of(413))));
    }

    private static <T> Mapped<T> malformed(Malformed e) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST,
                "malformed Message/CPIM at octet " + e.offset + ": " + e.getMessage(), Optional.of(SipStatus.of(400))));
    }

    /** A parse failure inside the reader; never leaves this class. */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final int offset;

        Malformed(int offset, String message) {
            super(message, null, false, false);
            this.offset = offset;
        }
    }

    /** One pass over the octets; holds the position. */
    private final class Reader {
        private final byte[] bytes;
        private final int end;
        private int pos;

        Reader(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.pos = start;
            this.end = end;
        }

        /** The index of the CR of the CRLF ending the line at {@link #pos}. */
        private int lineEnd(boolean allowTab) throws Malformed {
            int limit = Math.min(end, pos + maxLineLength + 1);
            for (int i = pos; i < limit; i++) {
                int b = bytes[i] & 0xff;
                if (b == '\r') {
                    if (i + 1 < end && bytes[i + 1] == '\n') {
                        return i;
                    }
                    throw new Malformed(i, "CR not followed by LF (lines end in CRLF, RFC 3862 §2.2)");
                }
                if (b == '\n') {
                    throw new Malformed(i, "LF without CR (lines end in CRLF, RFC 3862 §2.2)");
                }
                if (CpimSyntax.isControl(b) && !(allowTab && b == '\t')) {
                    throw new Malformed(i, String.format("control character 0x%02X in a header (RFC 3862 §2.2)", b));
                }
                if (i - pos == maxLineLength) {
                    break;
                }
            }
            if (limit == end && end - pos <= maxLineLength) {
                throw new Malformed(end, "truncated: header section not ended by a blank line");
            }
            throw new Malformed(pos, "header line longer than " + maxLineLength + " octets");
        }

        private String utf8(int from, int to) throws Malformed {
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
            } catch (CharacterCodingException e) {
                throw new Malformed(from, "header is not valid UTF-8 (RFC 3862 §3)");
            }
        }

        /** Message headers up to and including the blank line (RFC 3862 §2.2, §3.6). */
        List<CpimHeader> cpimHeaders() throws Malformed {
            List<CpimHeader> out = new ArrayList<>();
            while (true) {
                int start = pos;
                int cr = lineEnd(false);
                pos = cr + 2;
                if (cr == start) {
                    return out;
                }
                if (out.size() == maxHeaders) {
                    throw new Malformed(start, "more than " + maxHeaders + " message headers");
                }
                out.add(cpimHeader(start, utf8(start, cr)));
            }
        }

        private CpimHeader cpimHeader(int offset, String line) throws Malformed {
            if (line.charAt(0) == ' ') {
                throw new Malformed(offset, "white space at the start of a line (RFC 3862 §2.2)");
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new Malformed(offset, "header without ':'");
            }
            String name = line.substring(0, colon);
            Optional<String> nameError = CpimSyntax.checkHeaderName(name);
            if (nameError.isPresent()) {
                throw new Malformed(offset, nameError.get() + " (RFC 3862 §3.1)");
            }
            int i = colon + 1;
            while (i < line.length() && line.charAt(i) != ' ') {
                if (line.charAt(i) == '"') {
                    int close = CpimSyntax.endOfString(line, i);
                    if (close < 0) {
                        throw new Malformed(offset, "unterminated quoted string in the parameters");
                    }
                    i = close;
                } else {
                    i++;
                }
            }
            if (i == line.length()) {
                throw new Malformed(offset, "no space after the header name and colon (RFC 3862 §2.2)");
            }
            String parameters = line.substring(colon + 1, i);
            String value = line.substring(i + 1);
            Optional<String> error = CpimSyntax.parseParameters(parameters).error()
                    .or(() -> CpimSyntax.checkRawValue(value));
            if (error.isPresent()) {
                throw new Malformed(offset, error.get());
            }
            if (value.startsWith(" ") || value.endsWith(" ")) {
                throw new Malformed(offset, "white space around a header value (RFC 3862 §2.2)");
            }
            return new CpimHeader(name, parameters, value);
        }

        /** MIME header fields up to and including the blank line, unfolded (RFC 5322 §2.2.3). */
        List<MimeHeader> mimeHeaders() throws Malformed {
            List<String> names = new ArrayList<>();
            List<StringBuilder> values = new ArrayList<>();
            while (true) {
                int start = pos;
                int cr = lineEnd(true);
                pos = cr + 2;
                if (cr == start) {
                    break;
                }
                String line = utf8(start, cr);
                char first = line.charAt(0);
                if (first == ' ' || first == '\t') {
                    if (values.isEmpty()) {
                        throw new Malformed(start, "continuation line before any header field");
                    }
                    StringBuilder v = values.get(values.size() - 1);
                    if (v.length() + line.length() > maxLineLength) {
                        throw new Malformed(start, "folded header field longer than " + maxLineLength + " octets");
                    }
                    v.append(line);
                    continue;
                }
                if (names.size() == maxHeaders) {
                    throw new Malformed(start, "more than " + maxHeaders + " MIME header fields");
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || !MimeHeader.isFieldName(line.substring(0, colon))) {
                    throw new Malformed(start, "malformed MIME header field (RFC 5322 §2.2)");
                }
                names.add(line.substring(0, colon));
                values.add(new StringBuilder(line.substring(colon + 1)));
            }
            List<MimeHeader> out = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                String value = values.get(i).toString().strip();
                if (!MimeHeader.isFieldValue(value)) {
                    throw new Malformed(pos, "malformed value of MIME header field " + names.get(i));
                }
                out.add(new MimeHeader(names.get(i), value));
            }
            return out;
        }
    }
}
