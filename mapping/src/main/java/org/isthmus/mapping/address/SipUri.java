package org.isthmus.mapping.address;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The part of a SIP or SIPS URI (RFC 3261 §19.1) a gateway needs: scheme, user, host, port and URI
 * parameters. The user is held percent-decoded (as Unicode text, RFC 7247 §6.4 steps 3–4) and
 * re-encoded canonically by {@link #toString()}; header components ({@code ?...}) and passwords are
 * dropped on parsing, as a request sent to the URI must not carry them (RFC 3261 §19.1.5).
 *
 * @param secure     true for {@code sips:}
 * @param user       the decoded user part, if any
 * @param host       the host in lower case: a name, an IPv4 address or a bracketed IPv6 reference
 * @param port       the port, if given
 * @param parameters URI parameters, names in lower case, in their original order; a parameter
 *                   without a value maps to the empty string
 */
public record SipUri(boolean secure, Optional<String> user, String host, OptionalInt port,
                     Map<String, String> parameters) {

    /** Bytes of a user part that RFC 3261 §25.1 allows unescaped: unreserved and user-unreserved. */
    private static final String USER_SAFE = "-_.!~*'()&=+$,;?/";

    public SipUri {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A plain {@code sip:user@host} URI. */
    public static SipUri of(String user, String host) {
        return new SipUri(false, Optional.of(user), host.toLowerCase(Locale.ROOT), OptionalInt.empty(), Map.of());
    }

    /** Parses a SIP or SIPS URI, with or without enclosing angle brackets. */
    public static Mapped<SipUri> parse(String text) {
        if (text == null) {
            return bad("no URI");
        }
        String s = text.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return bad("not a URI: " + text);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return Mapped.rejected(StanzaErrorCondition.NOT_ACCEPTABLE, "unsupported URI scheme: " + scheme);
        }
        String rest = s.substring(colon + 1);
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        Optional<String> user = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            int pw = userinfo.indexOf(':');
            String rawUser = pw >= 0 ? userinfo.substring(0, pw) : userinfo;
            if (rawUser.isEmpty()) {
                return bad("empty user part in " + text);
            }
            Optional<String> decoded = percentDecode(rawUser);
            if (decoded.isEmpty()) {
                return bad("user part is not valid percent-encoded UTF-8: " + rawUser);
            }
            user = decoded;
            rest = rest.substring(at + 1);
        }
        int semi = rest.indexOf(';');
        String hostport = semi >= 0 ? rest.substring(0, semi) : rest;
        String params = semi >= 0 ? rest.substring(semi + 1) : "";
        String host;
        String portText = null;
        if (hostport.startsWith("[")) {
            int close = hostport.indexOf(']');
            if (close < 0) {
                return bad("unterminated IPv6 reference in " + text);
            }
            host = hostport.substring(0, close + 1);
            if (close + 1 < hostport.length()) {
                if (hostport.charAt(close + 1) != ':') {
                    return bad("junk after IPv6 reference in " + text);
                }
                portText = hostport.substring(close + 2);
            }
        } else {
            int pc = hostport.indexOf(':');
            host = pc >= 0 ? hostport.substring(0, pc) : hostport;
            portText = pc >= 0 ? hostport.substring(pc + 1) : null;
        }
        if (host.isEmpty() || !validHost(host)) {
            return bad("invalid host in " + text);
        }
        OptionalInt port = OptionalInt.empty();
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
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
                if (name.isEmpty()) {
                    return bad("empty URI parameter name in " + text);
                }
                Optional<String> dv = percentDecode(value);
                if (dv.isEmpty()) {
                    return bad("URI parameter is not valid percent-encoded UTF-8: " + p);
                }
                parameters.putIfAbsent(name, dv.get());
            }
        }
        return Mapped.ok(new SipUri(scheme.equals("sips"), user, host.toLowerCase(Locale.ROOT), port, parameters));
    }

    private static boolean validHost(String host) {
        if (host.startsWith("[")) {
            return host.endsWith("]") && host.length() > 3
                    && host.substring(1, host.length() - 1).chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        return host.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_'));
    }

    /** A URI parameter's value, if present ({@code ""} for a parameter without a value). */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The {@code transport} parameter in lower case, if present. */
    public Optional<String> transport() {
        return parameter("transport").map(t -> t.toLowerCase(Locale.ROOT));
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
        user.ifPresent(u -> sb.append(percentEncode(u, USER_SAFE)).append('@'));
        sb.append(host);
        port.ifPresent(p -> sb.append(':').append(p));
        parameters.forEach((k, v) -> {
            sb.append(';').append(k);
            if (!v.isEmpty()) {
                sb.append('=').append(percentEncode(v, "-_.!~*'()[]/:&+$"));
            }
        });
        return sb.toString();
    }

    /** Percent-encodes UTF-8 bytes that are neither alphanumeric ASCII nor in {@code safe}. */
    static String percentEncode(String s, String safe) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || safe.indexOf(c) >= 0)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Percent-decodes to UTF-8 text; empty if an escape is malformed or the bytes are not UTF-8. */
    static Optional<String> percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return Optional.of(s);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.length) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(raw[i]);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }
}
