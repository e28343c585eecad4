package org.isthmus.mapping.document.cpim;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A MIME entity: header fields and the body octets (RFC 2045 §2.4). In a Message/CPIM object it is
 * the encapsulated message content (RFC 3862 §2.4); it is also one part of a multipart body.
 *
 * @param headers the header fields, in order
 * @param body    the body octets (copied; never shared)
 */
public record MimeEntity(List<MimeHeader> headers, byte[] body) {

    public MimeEntity {
        headers = List.copyOf(headers);
        body = body.clone();
    }

    /** An entity with one Content-Type field and the given body. */
    public static MimeEntity of(String contentType, byte[] body) {
        return new MimeEntity(List.of(new MimeHeader("Content-Type", contentType)), body);
    }

    /** The value of the first field with this name, compared case-insensitively. */
    public Optional<String> header(String name) {
        for (MimeHeader h : headers) {
            if (h.is(name)) {
                return Optional.of(h.value());
            }
        }
        return Optional.empty();
    }

    /** The Content-Type field's value, if present. */
    public Optional<String> contentType() {
        return header("Content-Type");
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The body length in octets, without copying. */
    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MimeEntity e && headers.equals(e.headers) && Arrays.equals(body, e.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(headers, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "MimeEntity[headers=" + headers + ", body=" + body.length + " bytes]";
    }
}
