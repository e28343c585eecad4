package org.isthmus.mapping.address;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * A {@code tel:} URI (RFC 3966 §3): a global number ({@code +} and digits, E.164) or a local number
 * with the {@code phone-context} that gives it meaning (§5.1.5), with its parameters. Held in the form
 * RFC 3966 §4 compares: visual separators ({@code - . ( )}) removed, hex digits, parameter names and
 * values in lower case, parameters in a fixed order.
 *
 * @param number       {@code +} and digits for a global number; digits, hex digits, {@code *} and
 *                     {@code #} for a local one
 * @param phoneContext the context of a local number: a domain name in lower case or a global number
 *                     prefix ({@code +} and digits); empty for a global number
 * @param parameters   the other parameters ({@code ext}, {@code isub}, ...), names in lower case,
 *                     values percent-decoded and in lower case ({@code ext} without separators);
 *                     ordered by name
 */
public record TelUri(String number, Optional<String> phoneContext, Map<String, String> parameters)
        implements AddressUri {

    private static final String VISUAL_SEPARATORS = "-.()";

    /** Bytes of a parameter value RFC 3966 §3 allows unescaped: unreserved and param-unreserved. */
    private static final String PARAM_SAFE = "-_.!~*'()[]/:&+$";

    public TelUri {
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(phoneContext, "phoneContext");
        boolean global = number.startsWith("+");
        if (global ? !isGlobalDigits(number) : !isLocalDigits(number)) {
            throw new MappingException("not a canonical telephone number: " + number);
        }
        if (global == phoneContext.isPresent()) {
            throw new MappingException(global ? "a global number has no phone-context"
                    : "a local number needs a phone-context (RFC 3966 §5.1.5)");
        }
        if (parameters.containsKey("phone-context")) {
            throw new MappingException("phone-context is a component of its own");
        }
        parameters = Collections.unmodifiableMap(new TreeMap<>(parameters));
    }

    /** The global number {@code +digits}; visual separators are dropped. */
    public static Mapped<TelUri> global(String digits) {
        return parseSubscriber(digits.startsWith("+") ? digits : "+" + digits);
    }

    @Override
    public String scheme() {
        return "tel";
    }

    /** Whether this is a global (E.164) number, unique without a context (RFC 3966 §5.1.4). */
    public boolean isGlobal() {
        return phoneContext.isEmpty();
    }

    /** The {@code ext} parameter (an extension, RFC 3966 §5.2), if any. */
    public Optional<String> extension() {
        return Optional.ofNullable(parameters.get("ext"));
    }

    /** Parses a {@code tel:} URI, with or without enclosing angle brackets. */
    public static Mapped<TelUri> parse(String text) {
        if (text == null) {
            return bad("no URI");
        }
        String s = Uris.unbracket(text);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return bad("not a URI: " + text);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("tel")) {
            return AddressUri.unsupportedScheme(scheme);
        }
        return parseSubscriber(s.substring(colon + 1));
    }

    /**
     * Parses a {@code telephone-subscriber} (RFC 3966 §3), the part after {@code tel:}, which is also
     * the user part of a {@code user=phone} SIP URI (RFC 3261 §19.1.6).
     */
    public static Mapped<TelUri> parseSubscriber(String subscriber) {
        if (subscriber.isEmpty() || !Uris.isVisibleAscii(subscriber)) {
            return bad("not a telephone-subscriber: '" + subscriber + "'");
        }
        String[] pieces = subscriber.split(";", -1);
        String number = stripSeparators(pieces[0]);
        boolean global = number.startsWith("+");
        if (global ? !isGlobalDigits(number) : !isLocalDigits(number.toLowerCase(Locale.ROOT))) {
            return bad("not a telephone number: '" + pieces[0] + "' (RFC 3966 §3)");
        }
        if (!global) {
            number = number.toLowerCase(Locale.ROOT);
        }
        Optional<String> context = Optional.empty();
        Map<String, String> parameters = new TreeMap<>();
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i];
            int eq = p.indexOf('=');
            String name = (eq >= 0 ? p.substring(0, eq) : p).toLowerCase(Locale.ROOT);
            String raw = eq >= 0 ? p.substring(eq + 1) : "";
            if (name.isEmpty() || !name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return bad("invalid parameter name in '" + subscriber + "'");
            }
            Optional<String> value = Uris.percentDecode(raw);
            if (value.isEmpty()) {
                return bad("parameter is not valid percent-encoded UTF-8: " + p);
            }
            // RFC 3966 §3: "All parameter names and values SHOULD use lower-case characters"; §4
            // compares them case-insensitively, so the canonical form folds them.
            String v = value.get().toLowerCase(Locale.ROOT);
            if (name.equals("phone-context")) {
                if (context.isPresent()) {
                    return bad("phone-context appears twice in '" + subscriber + "'");
                }
                Optional<String> descriptor = descriptor(v);
                if (descriptor.isEmpty()) {
                    return bad("phone-context is neither a domain name nor a global number prefix: " + v);
                }
                context = descriptor;
                continue;
            }
            if (name.equals("ext")) {
                v = stripSeparators(v);
                if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return bad("ext is not a phone number extension: " + raw + " (RFC 3966 §3)");
                }
            }
            if (parameters.putIfAbsent(name, v) != null) {
                return bad("parameter '" + name + "' appears twice in '" + subscriber + "'");
            }
        }
        if (global && context.isPresent()) {
            return bad("a global number takes no phone-context (RFC 3966 §5.1.5): " + subscriber);
        }
        if (!global && context.isEmpty()) {
            return bad("a local number needs a phone-context (RFC 3966 §5.1.5): " + subscriber);
        }
        return Mapped.ok(new TelUri(number, context, parameters));
    }

    /** RFC 3966 §3 {@code descriptor}: {@code domainname / global-number-digits}, canonical. */
    private static Optional<String> descriptor(String v) {
        if (v.startsWith("+")) {
            String d = stripSeparators(v);
            return isGlobalDigits(d) ? Optional.of(d) : Optional.empty();
        }
        if (v.isEmpty() || !v.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.'))) {
            return Optional.empty();
        }
        Mapped<String> host = Hosts.prepare(v);
        return host.isOk() ? Optional.of(Hosts.toAscii(host.orThrow())) : Optional.empty();
    }

    private static String stripSeparators(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (VISUAL_SEPARATORS.indexOf(c) >= 0) {
                if (sb == null) {
                    sb = new StringBuilder(s.length()).append(s, 0, i);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static boolean isGlobalDigits(String s) {
        return s.length() > 1 && s.charAt(0) == '+' && s.chars().skip(1).allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean isLocalDigits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '*' || c == '#');
    }

    /**
     * The telephone-subscriber in canonical form, parameters in the order RFC 3966 §3 prescribes:
     * {@code isub}, then {@code ext}, then {@code phone-context}, then the others by name.
     */
    public String subscriber() {
        StringBuilder sb = new StringBuilder(number.length() + 16).append(number);
        param(sb, "isub", parameters.get("isub"));
        param(sb, "ext", parameters.get("ext"));
        phoneContext.ifPresent(c -> sb.append(";phone-context=").append(c));
        parameters.forEach((k, v) -> {
            if (!k.equals("isub") && !k.equals("ext")) {
                param(sb, k, v);
            }
        });
        return sb.toString();
    }

    private static void param(StringBuilder sb, String name, String value) {
        if (value == null) {
            return;
        }
        sb.append(';').append(name);
        if (!value.isEmpty()) {
            sb.append('=').append(Uris.percentEncode(value, PARAM_SAFE));
        }
    }

    /** The canonical {@code tel:} text. */
    @Override
    public String toString() {
        return "tel:" + subscriber();
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }
}
