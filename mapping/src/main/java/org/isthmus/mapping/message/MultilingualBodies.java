package org.isthmus.mapping.message;

/**
 * How a message with bodies in several languages (RFC 6121 §5.2.3) goes to SIP, where a MESSAGE has
 * one body and one Content-Language (RFC 7572 §8, RFC 3261 §20.13).
 */
public enum MultilingualBodies {
    /**
     * The body in the stanza's language only, as {@code text/plain} with its Content-Language. Every
     * SIP user agent can show it (RFC 3428 §9: text/plain is the one type all support); the other
     * languages, which RFC 6121 §5.2.3 defines as translations of the same content, are left out.
     */
    PRIMARY_ONLY,
    /**
     * All bodies as {@code multipart/alternative} (RFC 2046 §5.1.4), one {@code text/plain} part per
     * language with its own Content-Language, the primary one last as the preferred alternative; the
     * MESSAGE's Content-Language lists them all. Falls back to {@link #PRIMARY_ONLY} when the
     * multipart body would exceed the size limit.
     */
    MULTIPART_ALTERNATIVE
}
