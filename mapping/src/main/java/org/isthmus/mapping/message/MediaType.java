package org.isthmus.mapping.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * A MIME media type with parameters, as in a SIP Content-Type header (RFC 3261 §20.15, RFC 2045 §5.1).
 *
 * @param type       the top-level type, lower case
 * @param subtype    the subtype, lower case
 * @param parameters the parameters, names in lower case, values unquoted
 */
public record MediaType(String type, String subtype, Map<String, String> parameters) {

    /** {@code text/plain;charset=UTF-8}, the body type of every MESSAGE the gateway sends. */
    public static final MediaType TEXT_PLAIN_UTF8 = new MediaType("text", "plain", Map.of("charset", "UTF-8"));

    public MediaType {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subtype, "subtype");
        type = type.toLowerCase(Locale.ROOT);
        subtype = subtype.toLowerCase(Locale.ROOT);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** Parses {@code type/subtype *(;name=value)}; quoted values may hold ';'. */
    public static Mapped<MediaType> parse(String text) {
        if (text == null) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "no media type");
        }
        int semi = indexOfUnquoted(text, ';', 0);
        String base = (semi < 0 ? text : text.substring(0, semi)).strip();
        int slash = base.indexOf('/');
        if (slash <= 0 || slash == base.length() - 1) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "malformed media type: " + text);
        }
        Map<String, String> params = new LinkedHashMap<>();
        while (semi >= 0) {
            int next = indexOfUnquoted(text, ';', semi + 1);
            String p = (next < 0 ? text.substring(semi + 1) : text.substring(semi + 1, next)).strip();
            semi = next;
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "malformed media type parameter: " + p);
            }
            String value = p.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            params.putIfAbsent(p.substring(0, eq).strip().toLowerCase(Locale.ROOT), value);
        }
        return Mapped.ok(new MediaType(base.substring(0, slash).strip(), base.substring(slash + 1).strip(), params));
    }

    private static int indexOfUnquoted(String s, char c, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == '\\' && quoted) {
                i++;
            } else if (ch == c && !quoted) {
                return i;
            }
        }
        return -1;
    }

    public boolean is(String t, String s) {
        return type.equals(t) && subtype.equals(s);
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(type).append('/').append(subtype);
        parameters.forEach((k, v) -> sb.append(';').append(k).append('=').append(isToken(v) ? v
                : '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"'));
        return sb.toString();
    }

    /** RFC 2045 §5.1 {@code token}: a value with a tspecial, such as '/', must be quoted. */
    private static boolean isToken(String v) {
        return !v.isEmpty() && v.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?=".indexOf(c) < 0);
    }
}
