package org.isthmus.mapping.document.cpim;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * A Message/CPIM object (RFC 3862 §2): the MIME headers of the object itself, when it is carried as
 * a MIME entity of its own; the message headers, in order and as written; and the encapsulated MIME
 * content. The accessors read the headers of the CPIM namespace {@code urn:ietf:params:cpim-headers:}
 * (§4) after resolving namespace prefixes as §3.4 prescribes.
 *
 * @param mimeHeaders the MIME headers of the Message/CPIM entity (§2.1); empty when the enclosing
 *                    protocol carries them, as a SIP MESSAGE does in its own Content-Type
 * @param headers     the message headers (§2.2), in order; each namespace prefix declared before use
 * @param content     the encapsulated MIME object (§2.4), which has a Content-Type
 */
public record CpimDocument(List<MimeHeader> mimeHeaders, List<CpimHeader> headers, MimeEntity content) {

    /** The namespace of the headers RFC 3862 §4 defines, the default one of Message/CPIM (§7.1). */
    public static final String HEADERS_NAMESPACE = "urn:ietf:params:cpim-headers:";

    public CpimDocument {
        mimeHeaders = List.copyOf(mimeHeaders);
        headers = List.copyOf(headers);
        Objects.requireNonNull(content, "content");
        Optional<String> error = check(headers, content);
        if (error.isPresent()) {
            throw new MappingException("invalid Message/CPIM object: " + error.get());
        }
    }

    /** A document as a SIP body carries it: no MIME headers of its own. */
    public static CpimDocument of(List<CpimHeader> headers, MimeEntity content) {
        return new CpimDocument(List.of(), headers, content);
    }

    /** The reason the headers and content do not make a valid document, if they don't. */
    static Optional<String> check(List<CpimHeader> headers, MimeEntity content) {
        if (content.contentType().isEmpty()) {
            return Optional.of("the encapsulated MIME object has no Content-Type (RFC 3862 §2.4)");
        }
        return CpimHeaders.resolve(headers).error();
    }

    /** The sender (§4.1). */
    public Optional<CpimAddress> from() {
        return CpimHeaders.resolve(headers).from();
    }

    /** The recipients (§4.2), in order. */
    public List<CpimAddress> to() {
        return CpimHeaders.resolve(headers).to();
    }

    /** The courtesy-copy recipients (§4.3), in order. */
    public List<CpimAddress> cc() {
        return CpimHeaders.resolve(headers).cc();
    }

    /** When the sender sent the message (§4.4). */
    public Optional<OffsetDateTime> dateTime() {
        return CpimHeaders.resolve(headers).dateTime();
    }

    /** The Subject headers (§4.5), each with its {@link CpimHeader#lang()} and {@link CpimHeader#text()}. */
    public List<CpimHeader> subjects() {
        return CpimHeaders.resolve(headers).subjects();
    }

    /** The headers and features a Require header names (§3.5, §4.7), their prefixes resolved. */
    public List<Name> required() {
        return CpimHeaders.resolve(headers).required();
    }

    /** Every header outside the core set of §4, with the namespace its name resolves to (§3.4). */
    public List<Extension> extensions() {
        return CpimHeaders.resolve(headers).extensions();
    }

    /** A copy with the given MIME headers of its own. */
    public CpimDocument withMimeHeaders(List<MimeHeader> newMimeHeaders) {
        return new CpimDocument(newMimeHeaders, headers, content);
    }

    /**
     * A header name qualified by its namespace URI (RFC 3862 §3.4).
     *
     * @param namespace the namespace URI
     * @param localName the name within it
     */
    public record Name(String namespace, String localName) {
        public Name {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(localName, "localName");
        }

        /** Whether this names a header of RFC 3862 §4 that this codec reads. */
        public boolean isCore() {
            return namespace.equals(HEADERS_NAMESPACE) && CpimHeaders.CORE.contains(localName);
        }
    }

    /**
     * A header with the namespace its name resolves to.
     *
     * @param name   the qualified name
     * @param header the header as written
     */
    public record Extension(Name name, CpimHeader header) {
        public Extension {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(header, "header");
        }
    }
}
