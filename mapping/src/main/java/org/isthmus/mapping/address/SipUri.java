package org.isthmus.mapping.address;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The part of a SIP or SIPS URI (RFC 3261 §19.1) a gateway needs: scheme, user, host, port and URI
 * parameters. The user is held percent-decoded (as Unicode text, RFC 7247 §6.4 steps 3–4) and
 * re-encoded canonically by {@link #toString()}; header components ({@code ?...}) and passwords are
 * dropped on parsing, as a request sent to the URI must not carry them (RFC 3261 §19.1.5).
 *
 * @param secure     true for {@code sips:}
 * @param user       the decoded user part, if any
 * @param host       the host in lower case: a name in A-labels, an IPv4 address or a bracketed IPv6
 *                   reference in RFC 5952 form
 * @param port       the port, if given
 * @param parameters URI parameters, names in lower case, in their original order, values decoded; a
 *                   parameter without a value maps to the empty string
 */
public record SipUri(boolean secure, Optional<String> user, String host, OptionalInt port,
                     Map<String, String> parameters) implements AddressUri {

    /** Bytes of a user part that RFC 3261 §25.1 allows unescaped: unreserved and user-unreserved. */
    private static final String USER_SAFE = "-_.!~*'()&=+$,;?/";

    /** Bytes of a parameter value that RFC 3261 §25.1 allows unescaped: unreserved and param-unreserved. */
    private static final String PARAM_SAFE = "-_.!~*'()[]/:&+$";

    /** RFC 3261 §25.1 {@code token}, the syntax of a parameter name. */
    private static final String TOKEN_MARKS = "-.!%*_+`'~";

    public SipUri {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        if (host.isEmpty()) {
            throw new MappingException("empty host");
        }
        if (user.isPresent() && user.get().isEmpty()) {
            throw new MappingException("empty user part; use Optional.empty()");
        }
        // Most URIs have no parameters: one shared empty map then, not a map of its own (issue 7, memory
        // per mirrored subscription).
        parameters = parameters.isEmpty() ? Collections.emptyMap()
                : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A plain {@code sip:user@host} URI. */
    public static SipUri of(String user, String host) {
        return new SipUri(false, Optional.of(user), host.toLowerCase(Locale.ROOT), OptionalInt.empty(), Map.of());
    }

    @Override
    public String scheme() {
        return secure ? "sips" : "sip";
    }

    /** Parses a SIP or SIPS URI, with or without enclosing angle brackets (RFC 3261 §19.1.1, §25.1). */
    public static Mapped<SipUri> parse(String text) {
        if (text == null) {
            return bad("no URI");
        }
        String s = Uris.unbracket(text);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return bad("not a URI: " + text);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return AddressUri.unsupportedScheme(scheme);
        }
        String rest = s.substring(colon + 1);
        Optional<String> user = Optional.empty();
        // '@' appears in no unescaped part of a SIP URI but the end of userinfo; ';' and '?' may appear
        // in the user (RFC 3261 §19.1.3: "sip:alice;day=tuesday@atlanta.com"), so split at '@' first.
        int at = rest.indexOf('@');
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            int pw = userinfo.indexOf(':');
            String rawUser = pw >= 0 ? userinfo.substring(0, pw) : userinfo;
            if (rawUser.isEmpty()) {
                return bad("empty user part in " + text);
            }
            if (!isUserText(rawUser)) {
                return bad("user part has characters a SIP URI does not allow: " + text);
            }
            Optional<String> decoded = Uris.percentDecode(rawUser);
            if (decoded.isEmpty()) {
                return bad("user part is not valid percent-encoded UTF-8: " + rawUser);
            }
            user = decoded;
            rest = rest.substring(at + 1);
        }
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int semi = rest.indexOf(';');
        String hostport = semi >= 0 ? rest.substring(0, semi) : rest;
        String params = semi >= 0 ? rest.substring(semi + 1) : "";
        String rawHost;
        String portText = null;
        if (hostport.startsWith("[")) {
            int close = hostport.indexOf(']');
            if (close < 0) {
                return bad("unterminated IPv6 reference in " + text);
            }
            rawHost = hostport.substring(0, close + 1);
            if (close + 1 < hostport.length()) {
                if (hostport.charAt(close + 1) != ':') {
                    return bad("junk after IPv6 reference in " + text);
                }
                portText = hostport.substring(close + 2);
            }
        } else {
            int pc = hostport.indexOf(':');
            rawHost = pc >= 0 ? hostport.substring(0, pc) : hostport;
            portText = pc >= 0 ? hostport.substring(pc + 1) : null;
        }
        Optional<String> host = host(rawHost);
        if (host.isEmpty()) {
            return bad("invalid host in " + text);
        }
        OptionalInt port = OptionalInt.empty();
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return bad("invalid port in " + text);
            }
            int p = Integer.parseInt(portText);
            if (p < 1 || p > 65535) {
                return bad("port out of range in " + text);
            }
            port = OptionalInt.of(p);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (!params.isEmpty()) {
            for (String p : params.split(";", -1)) {
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String name = (eq >= 0 ? p.substring(0, eq) : p).toLowerCase(Locale.ROOT);
                String value = eq >= 0 ? p.substring(eq + 1) : "";
                if (name.isEmpty() || !isToken(name)) {
                    return bad("invalid URI parameter name in " + text);
                }
                if (!Uris.isVisibleAscii(value)) {
                    return bad("URI parameter value has characters a SIP URI does not allow: " + text);
                }
                Optional<String> dv = Uris.percentDecode(value);
                if (dv.isEmpty()) {
                    return bad("URI parameter is not valid percent-encoded UTF-8: " + p);
                }
                if (parameters.putIfAbsent(name, dv.get()) != null) {
                    return bad("URI parameter '" + name + "' appears twice (RFC 3261 §19.1.1 forbids it): " + text);
                }
            }
        }
        return Mapped.ok(new SipUri(scheme.equals("sips"), user, host.get(), port, parameters));
    }

    /**
     * The canonical host: an IPv6 reference in RFC 5952 form, an IPv4 address, or a name in lower-case
     * A-labels that IDNA2008 accepts (RFC 3261 §19.1.2 forbids escapes in a host).
     */
    private static Optional<String> host(String raw) {
        if (raw.isEmpty() || !Uris.isVisibleAscii(raw) || raw.indexOf('%') >= 0) {
            return Optional.empty();
        }
        Mapped<String> prepared = Hosts.prepare(raw);
        return prepared.isOk() ? Optional.of(Hosts.toAscii(prepared.orThrow())) : Optional.empty();
    }

    /**
     * Whether raw user text has only characters a user part may hold: RFC 3261 §25.1 {@code user}
     * (unreserved, user-unreserved, escapes), plus the other visible ASCII that telephones put there
     * unescaped ({@code #}, {@code [}, ...) except the URI delimiters {@code " < > : @ \}.
     */
    private static boolean isUserText(String raw) {
        if (!Uris.isVisibleAscii(raw)) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            if ("\"<>:@\\".indexOf(raw.charAt(i)) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || TOKEN_MARKS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** A URI parameter's value, if present ({@code ""} for a parameter without a value). */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The {@code transport} parameter in lower case, if present. */
    public Optional<String> transport() {
        return parameter("transport").map(t -> t.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether the user part is a telephone number: {@code user=phone} (RFC 3261 §19.1.1, "the user
     * parameter value 'phone' SHOULD be present" when the user is a telephone-subscriber).
     */
    public boolean isTelephoneNumber() {
        return user.isPresent() && parameter("user").filter(u -> u.equalsIgnoreCase("phone")).isPresent();
    }

    /**
     * The {@code tel:} URI this URI carries in its user part when {@link #isTelephoneNumber()}: the
     * reverse of the conversion of RFC 3261 §19.1.6.
     */
    public Mapped<TelUri> telephoneNumber() {
        if (!isTelephoneNumber()) {
            return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, "not a user=phone URI: " + this);
        }
        return TelUri.parseSubscriber(user.get());
    }

    /** A copy without parameters or port: the address-of-record form {@code sip:user@host}. */
    public SipUri addressOfRecord() {
        return new SipUri(secure, user, host, OptionalInt.empty(), Map.of());
    }

    /** A copy with one parameter set. */
    public SipUri withParameter(String name, String value) {
        Map<String, String> p = new LinkedHashMap<>(parameters);
        p.put(name.toLowerCase(Locale.ROOT), value);
        return new SipUri(secure, user, host, port, p);
    }

    /** The canonical wire form: the user and parameter values percent-encoded as RFC 3261 §25.1 requires. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(secure ? "sips:" : "sip:");
        user.ifPresent(u -> sb.append(Uris.percentEncode(u, USER_SAFE)).append('@'));
        sb.append(host);
        port.ifPresent(p -> sb.append(':').append(p));
        parameters.forEach((k, v) -> {
            sb.append(';').append(k);
            if (!v.isEmpty()) {
                sb.append('=').append(Uris.percentEncode(v, PARAM_SAFE));
            }
        });
        return sb.toString();
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }
}
