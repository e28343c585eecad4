package org.isthmus.mapping.document.cpim;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.MappingException;

/**
 * The value of a From, To or cc header (RFC 3862 §4.1–§4.3): {@code [ Formal-name ] "<" URI ">"}.
 *
 * @param formalName the person's "real world" name, decoded, if given
 * @param uri        the absolute URI, e.g. {@code im:piglet@100akerwood.com}
 */
public record CpimAddress(Optional<String> formalName, String uri) {

    public CpimAddress {
        Objects.requireNonNull(formalName, "formalName");
        Objects.requireNonNull(uri, "uri");
        if (checkUri(uri).isPresent()) {
            throw new MappingException("invalid CPIM address URI: " + checkUri(uri).get());
        }
        if (formalName.isPresent() && CpimSyntax.hasUnpairedSurrogate(formalName.get())) {
            throw new MappingException("invalid formal name: unpaired surrogate");
        }
    }

    public static CpimAddress of(String uri) {
        return new CpimAddress(Optional.empty(), uri);
    }

    /**
     * Parses a raw header value. The Formal-name is either tokens each followed by a space, or a
     * quoted String (RFC 3862 §3.6 {@code Formal-name = 1*( Token SP ) / String}); a String may be
     * followed by a space, as the examples of §4.1 are written with one.
     */
    static ParsedAddress parse(String raw) {
        int lt;
        Optional<String> formal = Optional.empty();
        if (raw.startsWith("\"")) {
            int end = CpimSyntax.endOfString(raw, 0);
            if (end < 0) {
                return ParsedAddress.error("unterminated formal name");
            }
            formal = Optional.of(CpimSyntax.unescape(raw.substring(1, end - 1)));
            if (CpimSyntax.hasUnpairedSurrogate(formal.get())) {
                return ParsedAddress.error("unpaired surrogate in the formal name");
            }
            lt = end < raw.length() && raw.charAt(end) == ' ' ? end + 1 : end;
            if (lt >= raw.length() || raw.charAt(lt) != '<') {
                return ParsedAddress.error("expected '<' after the formal name");
            }
        } else {
            lt = raw.indexOf('<');
            if (lt < 0) {
                return ParsedAddress.error("address without '<'");
            }
            if (lt > 0) {
                String tokens = raw.substring(0, lt);
                if (!tokens.endsWith(" ")) {
                    return ParsedAddress.error("the formal name must be followed by a space");
                }
                for (String token : tokens.substring(0, tokens.length() - 1).split(" ", -1)) {
                    if (token.isEmpty() || !token.codePoints().allMatch(CpimSyntax::isTokenChar)) {
                        return ParsedAddress.error("malformed formal name");
                    }
                }
                formal = Optional.of(tokens.substring(0, tokens.length() - 1));
            }
        }
        if (!raw.endsWith(">") || raw.indexOf('>') != raw.length() - 1) {
            return ParsedAddress.error("address must end with the '>' of its URI");
        }
        String uri = raw.substring(lt + 1, raw.length() - 1);
        Optional<String> error = checkUri(uri);
        return error.isPresent() ? ParsedAddress.error(error.get())
                : new ParsedAddress(Optional.of(new CpimAddress(formal, uri)), Optional.empty());
    }

    /** An address or the reason it could not be read. */
    record ParsedAddress(Optional<CpimAddress> address, Optional<String> error) {
        static ParsedAddress error(String reason) {
            return new ParsedAddress(Optional.empty(), Optional.of(reason));
        }
    }

    /**
     * RFC 2396 §3 {@code absoluteURI = scheme ":" ...}: a scheme of a letter then letters, digits,
     * "+", "-" or "."; after the colon, no space, control character, angle bracket or quote.
     */
    static Optional<String> checkUri(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 0 || colon == uri.length() - 1) {
            return Optional.of("not an absolute URI");
        }
        for (int i = 0; i < colon; i++) {
            char c = uri.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
            if (!ok) {
                return Optional.of("malformed URI scheme");
            }
        }
        for (int i = colon + 1; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\') {
                return Optional.of("character not allowed in a URI");
            }
        }
        return Optional.empty();
    }

    /** The raw header value for this address, the formal name quoted when it is not plain tokens. */
    String toHeaderValue() {
        if (formalName.isEmpty()) {
            return "<" + uri + ">";
        }
        String f = formalName.get();
        boolean tokens = !f.isEmpty() && !f.startsWith(" ") && !f.endsWith(" ") && !f.contains("  ")
                && f.codePoints().allMatch(c -> c == ' ' || CpimSyntax.isTokenChar(c));
        return (tokens ? f : "\"" + CpimSyntax.escape(f, true) + "\"") + " <" + uri + ">";
    }
}
