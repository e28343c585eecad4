package org.isthmus.mapping.address;

import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Any URI the gateway may be given for an address on the SIP side: {@code sip:}/{@code sips:}
 * (RFC 3261 §19.1), {@code tel:} (RFC 3966), {@code im:} (RFC 3860) or {@code pres:} (RFC 3859),
 * the schemes RFC 7247 §6.1 names.
 */
public sealed interface AddressUri permits SipUri, TelUri, ImUri, PresUri {

    /** The scheme in lower case, without the colon. */
    String scheme();

    /** The canonical text of the URI. */
    @Override
    String toString();

    /**
     * Parses a URI of one of the four schemes, with or without enclosing angle brackets. Another
     * scheme is refused with the condition {@code not-acceptable} and SIP status 416 Unsupported URI
     * Scheme (RFC 3261 §21.4.17).
     */
    static Mapped<AddressUri> parse(String text) {
        if (text == null) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "no URI");
        }
        Optional<String> scheme = schemeOf(text);
        if (scheme.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "not a URI: " + text);
        }
        return switch (scheme.get()) {
            case "sip", "sips" -> SipUri.parse(text).map(u -> u);
            case "tel" -> TelUri.parse(text).map(u -> u);
            case "im" -> ImUri.parse(text).map(u -> u);
            case "pres" -> PresUri.parse(text).map(u -> u);
            default -> unsupportedScheme(scheme.get());
        };
    }

    /** The lower-cased scheme of URI text, if it has one (RFC 3986 §3.1). */
    private static Optional<String> schemeOf(String text) {
        String s = Uris.unbracket(text);
        int colon = s.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        for (int i = 0; i < colon; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
            if (!ok) {
                return Optional.empty();
            }
        }
        return Optional.of(s.substring(0, colon).toLowerCase(Locale.ROOT));
    }

    /** The rejection of a URI scheme the gateway does not handle (RFC 3261 §21.4.17). */
    static <T> Mapped<T> unsupportedScheme(String scheme) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE,
                "unsupported URI scheme: " + scheme, Optional.of(SipStatus.of(416))));
    }
}
