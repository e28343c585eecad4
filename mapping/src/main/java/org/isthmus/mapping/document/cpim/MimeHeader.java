package org.isthmus.mapping.document.cpim;

import java.util.Objects;

import org.isthmus.mapping.MappingException;

/**
 * A MIME header field (RFC 2045 §3, RFC 5322 §2.2) of the Message/CPIM wrapper or of its
 * encapsulated part, unfolded. Names compare case-insensitively, unlike CPIM message headers.
 *
 * @param name  the field name: printable US-ASCII except the colon
 * @param value the unfolded value without leading or trailing white space; no CR, LF or other control
 *              character except HT
 */
public record MimeHeader(String name, String value) {

    public MimeHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!isFieldName(name)) {
            throw new MappingException("invalid MIME header name: " + name);
        }
        if (!isFieldValue(value)) {
            throw new MappingException("invalid MIME header value for " + name);
        }
    }

    /** RFC 5322 §3.6.8 {@code field-name = 1*ftext}, ftext being %d33-57 / %d59-126. */
    static boolean isFieldName(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':');
    }

    static boolean isFieldValue(String s) {
        return s.chars().allMatch(c -> c == '\t' || !CpimSyntax.isControl(c))
                && !CpimSyntax.hasUnpairedSurrogate(s);
    }

    /** Whether this field has the given name, ignoring case (RFC 5322 §1.2.2). */
    public boolean is(String fieldName) {
        return name.equalsIgnoreCase(fieldName);
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }
}
