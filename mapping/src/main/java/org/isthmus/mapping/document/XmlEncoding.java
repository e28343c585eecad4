package org.isthmus.mapping.document;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Arrays;
import java.util.Locale;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The characters of an XML document's bytes, in the encoding its byte order mark or XML declaration
 * names (XML 1.0 §4.3.3 and Appendix F), UTF-8 when neither names one. The document parsers of this
 * module decode here, strictly, and give the StAX parser characters: the JDK's parser prints a
 * malformed byte sequence to standard error before it reports it, which would let a peer write to the
 * gateway's console (STYLE.md rule 7); here it is a rejection like any other.
 */
public final class XmlEncoding {

    /** The XML declaration, if any, ends within this many bytes; longer is not a declaration we read. */
    private static final int MAX_DECLARATION_BYTES = 256;

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] DECLARATION_START = "<?xml".getBytes(StandardCharsets.US_ASCII);

    private XmlEncoding() {
    }

    /** The document's characters, without a byte order mark; a {@code bad-request} rejection if they are not. */
    public static Mapped<String> decode(byte[] body) {
        if (startsWith(body, UTF8_BOM)) {
            return decode(body, UTF8_BOM.length, StandardCharsets.UTF_8);
        }
        if (startsWith(body, 0x00, 0x00) || startsWith(body, 0xFF, 0xFE, 0x00, 0x00)
                || startsWith(body, 0x3C, 0x00, 0x00, 0x00) || startsWith(body, 0x4C, 0x6F, 0xA7, 0x94)) {
            return bad("UCS-4 and EBCDIC documents are not accepted");
        }
        if (startsWith(body, 0xFE, 0xFF)) {
            return decode(body, 2, StandardCharsets.UTF_16BE);
        }
        if (startsWith(body, 0xFF, 0xFE)) {
            return decode(body, 2, StandardCharsets.UTF_16LE);
        }
        if (startsWith(body, 0x00, 0x3C, 0x00, 0x3F)) {
            return decode(body, 0, StandardCharsets.UTF_16BE);
        }
        if (startsWith(body, 0x3C, 0x00, 0x3F, 0x00)) {
            return decode(body, 0, StandardCharsets.UTF_16LE);
        }
        if (!startsWith(body, DECLARATION_START)) {
            return decode(body, 0, StandardCharsets.UTF_8);
        }
        return declaredCharset(body).then(charset -> decode(body, 0, charset));
    }

    /**
     * The charset the XML declaration of an ASCII-compatible document names (XML 1.0 §4.3.3
     * {@code EncodingDecl}), UTF-8 if it names none. A charset that does not write ASCII as ASCII
     * cannot have written this declaration and is refused, as is one the JDK does not have.
     */
    private static Mapped<Charset> declaredCharset(byte[] body) {
        int limit = Math.min(body.length, MAX_DECLARATION_BYTES);
        int end = -1;
        for (int i = DECLARATION_START.length; i + 1 < limit; i++) {
            if (body[i] == '?' && body[i + 1] == '>') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            return bad("XML declaration not ended within " + MAX_DECLARATION_BYTES + " bytes");
        }
        String declaration = new String(body, 0, end, StandardCharsets.ISO_8859_1);
        int at = declaration.indexOf("encoding");
        if (at < 0) {
            return Mapped.ok(StandardCharsets.UTF_8);
        }
        int i = at + "encoding".length();
        while (i < declaration.length() && isSpace(declaration.charAt(i))) {
            i++;
        }
        if (i == declaration.length() || declaration.charAt(i) != '=') {
            return bad("malformed encoding declaration");
        }
        i++;
        while (i < declaration.length() && isSpace(declaration.charAt(i))) {
            i++;
        }
        if (i == declaration.length() || (declaration.charAt(i) != '"' && declaration.charAt(i) != '\'')) {
            return bad("malformed encoding declaration");
        }
        int close = declaration.indexOf(declaration.charAt(i), i + 1);
        if (close < 0) {
            return bad("malformed encoding declaration");
        }
        String name = declaration.substring(i + 1, close);
        if (!isEncodingName(name)) {
            return bad("malformed encoding name '" + name + "' (XML 1.0 §4.3.3)");
        }
        Charset charset;
        try {
            charset = Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return bad("unsupported encoding " + name);
        }
        if (!charset.canEncode()
                || !Arrays.equals(declaration.getBytes(charset), declaration.getBytes(StandardCharsets.ISO_8859_1))) {
            return bad("the declared encoding " + name.toUpperCase(Locale.ROOT) + " does not match the document's bytes");
        }
        return Mapped.ok(charset);
    }

    private static Mapped<String> decode(byte[] body, int offset, Charset charset) {
        try {
            return Mapped.ok(charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, offset, body.length - offset)).toString());
        } catch (CharacterCodingException e) {
            return bad("the body is not valid " + charset.name());
        }
    }

    /** XML 1.0 §4.3.3 {@code EncName}: a letter, then letters, digits, '.', '_' and '-'. */
    private static boolean isEncodingName(String name) {
        if (name.isEmpty() || !isAsciiLetter(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean startsWith(byte[] body, byte[] prefix) {
        return body.length >= prefix.length && Arrays.equals(body, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static boolean startsWith(byte[] body, int... prefix) {
        if (body.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((body[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }
}
