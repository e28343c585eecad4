package org.isthmus.mapping.document.cpim;

import java.util.Optional;

/**
 * The productions of RFC 3862 §3.6 that extension header fields reuse, for the readers of such
 * extensions outside this package (RFC 5438 §10 builds its IMDN headers from {@code Token},
 * {@code Ext-param} and the address form of From and To). Each check returns a value; none throws.
 */
public final class CpimGrammar {

    private CpimGrammar() {
    }

    /** RFC 3862 §3.6 {@code Token = 1*TOKENCHAR}. */
    public static boolean isToken(String s) {
        return !s.isEmpty() && s.codePoints().allMatch(CpimSyntax::isTokenChar);
    }

    /**
     * RFC 3862 §3.6 {@code Ext-param = Param-name "=" Param-value}, the value a Token, a Number or a
     * quoted String.
     */
    public static boolean isExtParameter(String s) {
        CpimSyntax.ParsedParameters p = CpimSyntax.parseParameters(";" + s);
        return p.error().isEmpty() && p.parameters().size() == 1;
    }

    /** A header value of the form {@code [ Formal-name ] "<" URI ">"} (RFC 3862 §4.1), if it is one. */
    public static Optional<CpimAddress> address(String rawValue) {
        if (CpimSyntax.checkRawValue(rawValue).isPresent()) {
            return Optional.empty();
        }
        return CpimAddress.parse(rawValue).address();
    }

    /** The raw header value for an address, the formal name quoted when it is not plain tokens. */
    public static String headerValue(CpimAddress address) {
        return address.toHeaderValue();
    }
}
