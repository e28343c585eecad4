package org.isthmus.mapping.document.cpim;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * One Message/CPIM message header as it is on the wire (RFC 3862 §2.2, §3.6):
 * {@code Header-name ":" *( ";" Parameter ) SP Header-value}. The parameters and the value are kept
 * exactly as written, escapes included, because §2.2 requires every octet to be preserved;
 * {@link #text()} and {@link #parameter(String)} give the decoded forms.
 *
 * @param name       the header name, with its namespace prefix if any ({@code MyFeatures.VitalMessageOption})
 * @param parameters the raw parameter text between the colon and the space, e.g. {@code ;lang=fr}; may be empty
 * @param value      the raw value, escapes not decoded
 */
public record CpimHeader(String name, String parameters, String value) {

    public CpimHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(value, "value");
        Optional<String> error = CpimSyntax.checkHeaderName(name)
                .or(() -> CpimSyntax.parseParameters(parameters).error())
                .or(() -> CpimSyntax.checkRawValue(parameters))
                .or(() -> CpimSyntax.checkRawValue(value));
        if (error.isPresent()) {
            throw new MappingException("invalid CPIM header " + name + ": " + error.get());
        }
    }

    /**
     * A header whose value is the given text, escaped as RFC 3862 §2.3.1 requires, with a
     * {@code ;lang=} parameter (§3.3) when a language is given.
     */
    public static CpimHeader text(String name, Optional<String> lang, String text) {
        String params = lang.map(l -> ";lang=" + l).orElse("");
        return new CpimHeader(name, params, CpimSyntax.escape(text, false));
    }

    /** A header with no parameters whose raw value is already in header syntax (an address, a date). */
    public static CpimHeader of(String name, String rawValue) {
        return new CpimHeader(name, "", rawValue);
    }

    /** The value with the escapes of RFC 3862 §2.3 decoded. */
    public String text() {
        return CpimSyntax.unescape(value);
    }

    /** The value of a parameter, unquoted and unescaped, if present (the first, if repeated). */
    public Optional<String> parameter(String parameterName) {
        for (CpimSyntax.Parameter p : CpimSyntax.parseParameters(parameters).parameters()) {
            if (p.name().equals(parameterName)) {
                return Optional.of(p.value());
            }
        }
        return Optional.empty();
    }

    /** The language of the value (RFC 3862 §3.3 {@code ;lang=}), if tagged. */
    public Optional<String> lang() {
        return parameters.isEmpty() ? Optional.empty() : parameter("lang");
    }

    /** The namespace prefix, if the name has one (RFC 3862 §3.4). */
    public Optional<String> prefix() {
        int dot = name.indexOf('.');
        return dot < 0 ? Optional.empty() : Optional.of(name.substring(0, dot));
    }

    /** The name without its namespace prefix. */
    public String localName() {
        return name.substring(name.indexOf('.') + 1);
    }

    /** The header line without its CRLF. */
    @Override
    public String toString() {
        return name + ":" + parameters + " " + value;
    }
}
