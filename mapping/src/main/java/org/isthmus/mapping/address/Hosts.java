package org.isthmus.mapping.address;

import java.util.Locale;
import java.util.Optional;

import com.ibm.icu.text.IDNA;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Host names and IP literals in the one prepared form both sides compare: a domain name in U-labels
 * (RFC 7622 §3.2.1, IDNA2008 through UTS #46 non-transitional processing with the Bidi, ContextJ,
 * ContextO and STD3 checks), an IPv4 address in dotted decimal, or a bracketed IPv6 address in the
 * text form of RFC 5952 §4. SIP writes the same names in A-labels (RFC 3261 §25.1 is ASCII only).
 */
final class Hosts {

    /** RFC 1034 §3.1: a label is at most 63 octets (of its A-label). */
    static final int MAX_LABEL_OCTETS = 63;

    /** RFC 1034 §3.1: 255 octets on the wire, so at most 253 in text without the final dot. */
    static final int MAX_NAME_OCTETS = 253;

    private static final IDNA UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_UNICODE
            | IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ | IDNA.CHECK_CONTEXTO
            | IDNA.USE_STD3_RULES);

    private Hosts() {
    }

    /**
     * The characters IDNA maps to a label separator (RFC 3490 §3.1, UTS #46 §4): the full stop and its
     * ideographic, fullwidth and halfwidth ideographic forms.
     */
    private static final String LABEL_SEPARATORS = ".\u3002\uFF0E\uFF61";

    /**
     * The prepared form of a host, or a {@code jid-malformed} rejection that says why it is not one.
     * One final dot, in any of the forms IDNA maps to a dot, is dropped first (RFC 7622 §3.2: "MUST be
     * stripped ... before any other canonicalization steps"); a name that still ends in one has an
     * empty label, which only the root may have (RFC 1034 §3.1), and is refused, so that preparing a
     * prepared host never changes it.
     */
    static Mapped<String> prepare(String host) {
        String h = !host.isEmpty() && LABEL_SEPARATORS.indexOf(host.charAt(host.length() - 1)) >= 0
                ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty()) {
            return malformed("empty domain");
        }
        if (LABEL_SEPARATORS.indexOf(h.charAt(h.length() - 1)) >= 0) {
            return malformed("'" + host + "' ends in an empty label (RFC 1034 §3.1)");
        }
        if (h.charAt(0) == '[') {
            if (h.length() < 3 || h.charAt(h.length() - 1) != ']') {
                return malformed("unterminated IPv6 literal " + host);
            }
            return ipv6(h.substring(1, h.length() - 1)).map(a -> Mapped.ok("[" + a + "]"))
                    .orElseGet(() -> malformed("invalid IPv6 literal " + host));
        }
        if (isDigitsAndDots(h)) {
            // A top-level label is never all digits (RFC 3696 §2), so this can only be an IPv4 address.
            return ipv4(h).map(Mapped::ok).orElseGet(() -> malformed("invalid IPv4 address " + host));
        }
        String ldh = asciiFastPath(h);
        if (ldh != null) {
            return Mapped.ok(ldh);
        }
        StringBuilder unicode = new StringBuilder(h.length());
        IDNA.Info info = new IDNA.Info();
        UTS46.nameToUnicode(h, unicode, info);
        if (info.hasErrors()) {
            return malformed("'" + host + "' is not a valid domain name " + info.getErrors());
        }
        // Label and name lengths are limits on the A-label form, which only ToASCII reports.
        StringBuilder ascii = new StringBuilder(h.length() + 8);
        IDNA.Info asciiInfo = new IDNA.Info();
        UTS46.nameToASCII(unicode, ascii, asciiInfo);
        if (asciiInfo.hasErrors()) {
            return malformed("'" + host + "' is not a valid domain name " + asciiInfo.getErrors());
        }
        String prepared = unicode.toString();
        if (prepared.endsWith(".")) {
            // Mapping deleted what followed the last dot (a default-ignorable such as U+034F).
            return malformed("'" + host + "' ends in an empty label (RFC 1034 §3.1)");
        }
        if (isDigitsAndDots(prepared)) {
            // IDNA mapped other digits or dots (fullwidth, ideographic) to ASCII ones: as above, only an
            // IPv4 address can look like this, and preparing it again must give it back unchanged.
            return ipv4(prepared).map(Mapped::ok).orElseGet(() -> malformed("invalid IPv4 address " + host));
        }
        return Mapped.ok(prepared);
    }

    /**
     * The lower-cased name when it is plain LDH ASCII that IDNA would leave as it is (no A-labels, no
     * hyphen rules broken, lengths within limits); null to send it through ICU.
     */
    private static String asciiFastPath(String h) {
        if (h.length() > MAX_NAME_OCTETS) {
            return null;
        }
        char[] out = null;
        int labelStart = 0;
        for (int i = 0; i <= h.length(); i++) {
            char c = i < h.length() ? h.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0 || len > MAX_LABEL_OCTETS || h.charAt(labelStart) == '-' || h.charAt(i - 1) == '-'
                        || (len >= 4 && h.charAt(labelStart + 2) == '-' && h.charAt(labelStart + 3) == '-')) {
                    return null;
                }
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                if (out == null) {
                    out = h.toCharArray();
                }
                out[i] = (char) (c + ('a' - 'A'));
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        return out == null ? h : new String(out);
    }

    /** A prepared host as SIP writes it: A-labels for a name, unchanged for an IP literal. */
    static String toAscii(String prepared) {
        for (int i = 0; i < prepared.length(); i++) {
            if (prepared.charAt(i) >= 0x80) {
                StringBuilder out = new StringBuilder(prepared.length() + 16);
                UTS46.nameToASCII(prepared, out, new IDNA.Info());
                return out.toString();
            }
        }
        return prepared;
    }

    private static boolean isDigitsAndDots(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 3986 §3.2.2 {@code IPv4address}: four dec-octets, no leading zeros. */
    static Optional<String> ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !isDigitsAndDots(p) || Integer.parseInt(p) > 255) {
                return Optional.empty();
            }
        }
        return Optional.of(s);
    }

    /**
     * RFC 3986 §3.2.2 {@code IPv6address} (RFC 4291 §2.2 text forms) in the canonical text of RFC 5952
     * §4: lower case, no leading zeros, the longest run of two or more zero groups (the first if tied)
     * as "::", and an IPv4-mapped address with its dotted tail (§5). Zone identifiers are refused.
     */
    static Optional<String> ipv6(String s) {
        if (s.isEmpty() || s.length() > 45) {
            return Optional.empty();
        }
        int[] groups = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (s.charAt(0) == ':') {
            return Optional.empty();
        }
        while (i < s.length()) {
            int end = i;
            while (end < s.length() && s.charAt(end) != ':') {
                end++;
            }
            String piece = s.substring(i, end);
            if (piece.indexOf('.') >= 0) {
                if (end != s.length() || n > 6) {
                    return Optional.empty();
                }
                Optional<String> v4 = ipv4(piece);
                if (v4.isEmpty()) {
                    return Optional.empty();
                }
                String[] o = piece.split("\\.");
                groups[n++] = Integer.parseInt(o[0]) << 8 | Integer.parseInt(o[1]);
                groups[n++] = Integer.parseInt(o[2]) << 8 | Integer.parseInt(o[3]);
                i = end;
                break;
            }
            if (piece.isEmpty() || piece.length() > 4 || n == 8) {
                return Optional.empty();
            }
            int v = 0;
            for (int k = 0; k < piece.length(); k++) {
                int d = Character.digit(piece.charAt(k), 16);
                if (d < 0 || piece.charAt(k) > 0x7f) {
                    return Optional.empty();
                }
                v = v << 4 | d;
            }
            groups[n++] = v;
            if (end == s.length()) {
                i = end;
                break;
            }
            if (end + 1 < s.length() && s.charAt(end + 1) == ':') {
                if (gap >= 0) {
                    return Optional.empty();
                }
                gap = n;
                i = end + 2;
            } else if (end + 1 == s.length()) {
                return Optional.empty();
            } else {
                i = end + 1;
            }
        }
        if (gap >= 0) {
            if (n == 8) {
                return Optional.empty();
            }
            int[] full = new int[8];
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - (n - gap), n - gap);
            groups = full;
        } else if (n != 8) {
            return Optional.empty();
        }
        return Optional.of(format(groups));
    }

    private static String format(int[] g) {
        boolean mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff;
        int hexGroups = mapped ? 6 : 8;
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < hexGroups; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < hexGroups && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < hexGroups; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (mapped) {
            if (sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(g[6] >> 8).append('.').append(g[6] & 0xff).append('.')
                    .append(g[7] >> 8).append('.').append(g[7] & 0xff);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static <T> Mapped<T> malformed(String text) {
        return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, text);
    }
}
