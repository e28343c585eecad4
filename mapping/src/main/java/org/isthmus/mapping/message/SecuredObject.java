package org.isthmus.mapping.message;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * An S/MIME object that crosses the gateway end to end (RFC 3923 §8): a {@code multipart/signed} or
 * {@code application/pkcs7-mime} entity (RFC 5751 §3.4, §3.5) whose octets the gateway never changes.
 *
 * <p>Its two wire forms:
 * <ul>
 *   <li>SIP: the entity's Content-Type as the request's Content-Type and its body as the request body,
 *       in binary (RFC 3923 §6.4; RFC 3261 §7.4.1 allows binary bodies).</li>
 *   <li>XMPP: the whole MIME entity, header fields, a blank line and the body, as the text of
 *       {@code <e2e xmlns='urn:ietf:params:xml:ns:xmpp-e2e'/>} (RFC 3923 §3.1 step 3, §9). XML cannot
 *       carry arbitrary octets, so a body that is not UTF-8 text made of XML characters, which is
 *       always the case for {@code application/pkcs7-mime}, is written with
 *       {@code Content-Transfer-Encoding: base64}: the tunnelling RFC 3862 §9 prescribes for a
 *       transport that is not 8-bit clean. XML also turns every line break into LF (XML 1.0 §2.11),
 *       so a text body read from XMPP has its line breaks put back to the CRLF of MIME's canonical
 *       form (RFC 5751 §3.1.1), the form in which it was signed.</li>
 * </ul>
 * Only that outermost transfer encoding and line-break form change between the two; the S/MIME bytes
 * a signature or an envelope covers are the same on both sides.
 *
 * @param contentType the entity's media type
 * @param body        the entity's body in canonical form (copied; never shared)
 */
public record SecuredObject(MediaType contentType, byte[] body) {

    /** The namespace of the {@code <e2e/>} element (RFC 3923 §9, §12.1). */
    public static final String E2E_NAMESPACE = "urn:ietf:params:xml:ns:xmpp-e2e";

    /** The kind of S/MIME object, from its media type (RFC 5751 §3.2.2, §3.4, §3.5). */
    public enum Kind {
        /** {@code multipart/signed}: readable content and a detached signature. */
        SIGNED,
        /** {@code application/pkcs7-mime; smime-type=signed-data}: the content inside the signature. */
        OPAQUE_SIGNED,
        /** {@code application/pkcs7-mime} of any other or no {@code smime-type}: enveloped (encrypted). */
        ENVELOPED
    }

    public SecuredObject {
        Objects.requireNonNull(contentType, "contentType");
        if (!isSecured(contentType)) {
            throw new IllegalArgumentException("not an S/MIME type: " + contentType);
        }
        body = body.clone();
    }

    /** Whether a body of this type is an S/MIME object the gateway relays untouched (RFC 3923 §8). */
    public static boolean isSecured(MediaType type) {
        return type.is("multipart", "signed") || type.is("application", "pkcs7-mime")
                || type.is("application", "x-pkcs7-mime");
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The kind of object, from the type and its {@code smime-type} parameter. */
    public Kind kind() {
        if (contentType.is("multipart", "signed")) {
            return Kind.SIGNED;
        }
        return contentType.parameter("smime-type").map(t -> t.toLowerCase(Locale.ROOT)).filter("signed-data"::equals)
                .map(t -> Kind.OPAQUE_SIGNED).orElse(Kind.ENVELOPED);
    }

    // ---- From and to XMPP's <e2e/> ---------------------------------------------------------------

    /**
     * Reads the text of an {@code <e2e/>} element. A text without header fields that is all base64 is
     * read as an {@code application/pkcs7-mime} object, as RFC 3923 Examples 5 and 11 show one.
     *
     * @param text     the element's character data
     * @param maxBytes the largest object accepted, in octets
     */
    public static Mapped<SecuredObject> fromE2e(String text, int maxBytes) {
        // Line breaks before the first header field are the CDATA's layout (RFC 3923 Example 3); what
        // follows belongs to the object, its last line break included.
        String trimmed = text.stripLeading();
        if (trimmed.isEmpty()) {
            return bad("the <e2e/> element is empty (RFC 3923 §9)");
        }
        if (trimmed.length() > maxBytes * 2L) {
            return tooLarge(trimmed.length(), maxBytes);
        }
        if (isBase64(trimmed)) {
            return base64(trimmed.strip()).then(der -> sized(new MediaType("application", "pkcs7-mime", Map.of()),
                    der, maxBytes));
        }
        byte[] bytes = crlf(trimmed).getBytes(StandardCharsets.UTF_8);
        Mapped<MimeEntity> entity = decoder(maxBytes * 2).decodeMimeEntity(bytes, 0, bytes.length);
        if (entity instanceof Mapped.Failed<MimeEntity> failed) {
            return Mapped.rejected(failed.rejected());
        }
        MimeEntity e = entity.orThrow();
        Optional<String> typeText = e.contentType();
        if (typeText.isEmpty()) {
            return bad("the <e2e/> object has no Content-Type (RFC 3923 §3.1, RFC 5751 §3)");
        }
        Mapped<MediaType> type = MediaType.parse(typeText.get());
        if (!type.isOk()) {
            return bad("malformed Content-Type in <e2e/>: " + typeText.get());
        }
        if (!isSecured(type.orThrow())) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE, "an <e2e/> object of type "
                    + type.orThrow().type() + "/" + type.orThrow().subtype()
                    + " is not S/MIME; expected multipart/signed or application/pkcs7-mime (RFC 3923 §2)",
                    Optional.of(SipStatus.of(415))));
        }
        String encoding = e.header("Content-Transfer-Encoding").map(v -> v.strip().toLowerCase(Locale.ROOT))
                .orElse("binary");
        return switch (encoding) {
            case "base64" -> base64(new String(e.body(), StandardCharsets.US_ASCII))
                    .then(b -> sized(type.orThrow(), b, maxBytes));
            case "binary", "8bit", "7bit" -> sized(type.orThrow(), e.body(), maxBytes);
            default -> Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE,
                    "Content-Transfer-Encoding " + encoding + " in <e2e/>; use binary or base64 (RFC 3923 §6.4)",
                    Optional.of(SipStatus.of(415))));
        };
    }

    /**
     * The text of the {@code <e2e/>} element for this object: Content-Type, a blank line, the body as
     * text when it is UTF-8 made of XML characters and the type is not {@code application/pkcs7-mime},
     * else in base64 under {@code Content-Transfer-Encoding: base64}, in lines of 76 characters
     * (RFC 2045 §6.8).
     */
    public String toE2e() {
        StringBuilder sb = new StringBuilder("Content-Type: ").append(contentType).append("\r\n");
        Optional<String> text = kind() == Kind.SIGNED ? xmlText(body) : Optional.empty();
        if (text.isPresent()) {
            return sb.append("\r\n").append(text.get()).toString();
        }
        sb.append("Content-Transfer-Encoding: base64\r\n\r\n");
        sb.append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(body)).append("\r\n");
        return sb.toString();
    }

    // ---- multipart/signed --------------------------------------------------------------------------

    /**
     * The two parts of a {@code multipart/signed} object (RFC 1847 §2.1, RFC 5751 §3.5.3).
     *
     * @param content   the first part exactly as it is in the body, header fields included: the octets
     *                  the signature covers
     * @param signature the second part, the {@code application/pkcs7-signature} entity
     */
    public record SignedParts(byte[] content, MimeEntity signature) {
        public SignedParts {
            content = content.clone();
            Objects.requireNonNull(signature, "signature");
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        /** The first part read as a MIME entity. */
        public Mapped<MimeEntity> contentEntity() {
            return decoder(content.length).decodeMimeEntity(content, 0, content.length);
        }

        /** The signature's DER octets: the second part's body, base64-decoded if so encoded. */
        public Mapped<byte[]> signatureDer() {
            boolean isBase64 = signature.header("Content-Transfer-Encoding")
                    .map(v -> v.strip().equalsIgnoreCase("base64")).orElse(false);
            return isBase64 ? base64(new String(signature.body(), StandardCharsets.US_ASCII))
                    : Mapped.ok(signature.body());
        }
    }

    /**
     * The parts of a {@code multipart/signed} object: exactly two, the second of the type its
     * {@code protocol} parameter names (RFC 1847 §2.1).
     */
    public Mapped<SignedParts> signedParts() {
        if (kind() != Kind.SIGNED) {
            return bad("not a multipart/signed object");
        }
        Optional<String> boundary = contentType.parameter("boundary");
        if (boundary.isEmpty()) {
            return bad("multipart/signed without a boundary parameter (RFC 1847 §2.1)");
        }
        Mapped<List<int[]>> ranges = Multipart.partRanges(body, boundary.get());
        if (ranges instanceof Mapped.Failed<List<int[]>> failed) {
            return Mapped.rejected(failed.rejected());
        }
        List<int[]> parts = ranges.orThrow();
        if (parts.size() != 2) {
            return bad("multipart/signed with " + parts.size() + " parts; RFC 1847 §2.1 requires two");
        }
        byte[] content = Arrays.copyOfRange(body, parts.get(0)[0], parts.get(0)[1]);
        Mapped<MimeEntity> signature = decoder(body.length).decodeMimeEntity(body, parts.get(1)[0],
                parts.get(1)[1] - parts.get(1)[0]);
        if (signature instanceof Mapped.Failed<MimeEntity> failed) {
            return Mapped.rejected(failed.rejected());
        }
        return Mapped.ok(new SignedParts(content, signature.orThrow()));
    }

    // ---- Helpers ---------------------------------------------------------------------------------

    private static Mapped<SecuredObject> sized(MediaType type, byte[] body, int maxBytes) {
        if (body.length > maxBytes) {
            return tooLarge(body.length, maxBytes);
        }
        if (body.length == 0) {
            return bad("the S/MIME object has an empty body");
        }
        return Mapped.ok(new SecuredObject(type, body));
    }

    /** Every LF not preceded by CR becomes CRLF: MIME's canonical line break (RFC 2045 §2.10, RFC 5751 §3.1.1). */
    static String crlf(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 64);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && (i == 0 || text.charAt(i - 1) != '\r')) {
                sb.append('\r');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isBase64(String text) {
        return text.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '=' || c == '\r' || c == '\n' || c == ' ' || c == '\t');
    }

    private static Mapped<byte[]> base64(String text) {
        try {
            return Mapped.ok(Base64.getMimeDecoder().decode(text.strip()));
        } catch (IllegalArgumentException e) {
            return bad("malformed base64 in the S/MIME object");
        }
    }

    /** The body as text if it is UTF-8 made only of characters XML 1.0 can carry (§2.2). */
    private static Optional<String> xmlText(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        return SipToCpim.firstNonXmlChar(text) < 0 ? Optional.of(text) : Optional.empty();
    }

    private static CpimDecoder decoder(int maxBytes) {
        return new CpimDecoder(Math.max(1, maxBytes), CpimDecoder.DEFAULT_MAX_HEADERS, CpimDecoder.DEFAULT_MAX_LINE_LENGTH);
    }

    private static <T> Mapped<T> tooLarge(long size, int maxBytes) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.POLICY_VIOLATION,
                "S/MIME object of " + size + " bytes exceeds the limit of " + maxBytes, Optional.of(SipStatus.of(413))));
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST, text, Optional.of(SipStatus.of(400))));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecuredObject s && contentType.equals(s.contentType) && Arrays.equals(body, s.body);
    }

    @Override
    public int hashCode() {
        return 31 * contentType.hashCode() + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "SecuredObject[" + contentType + ", " + body.length + " bytes]";
    }
}
