package org.isthmus.mapping.address;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The neutral CPIM address of an instant-messaging entity, {@code im:user@host} (RFC 3860 §3,
 * RFC 3922 §3), with the instance (an XMPP resource or a SIP GRUU, RFC 7247 §6.3) when a particular
 * endpoint is meant. The user is held decoded: neither JID-escaped nor percent-encoded.
 *
 * @param user     the decoded local part, not empty
 * @param host     the domain in its prepared form (U-labels in lower case, or an IP literal, as a
 *                 {@link Jid} domainpart holds it)
 * @param instance the endpoint instance, if any; the {@code im:} text has no place for it
 */
public record ImUri(String user, String host, Optional<String> instance) implements AddressUri {

    /**
     * Bytes of a local part written unescaped: RFC 5322 {@code atext} except {@code %}, the escape
     * character itself, and {@code ?}, which starts the headers of an im:/pres: URI (RFC 3860 §3,
     * RFC 3859 §3, after the mailto: URI they follow). Everything else is percent-encoded, which covers the set RFC 7247 §6.5 step 5
     * names ({@code ( ) , . ; [ \ ]} and non-ASCII) and the characters an unescaped JID localpart
     * can hold that {@code atext} cannot (space, {@code " : < > @}).
     */
    static final String LOCAL_SAFE = "!#$&'*+-/=^_`{|}~";

    /** Raw characters a local part may hold on parsing: {@code dot-atom-text} and escapes. */
    private static final String LOCAL_RAW = "!#$%&'*+-/=?^_`{|}~.";

    public ImUri {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(instance, "instance");
        if (user.isEmpty()) {
            throw new MappingException("empty user in an im: address");
        }
        host = canonicalHost(host);
    }

    /**
     * The prepared form of a host given by a caller; a host that is not a domain name or IP literal
     * is a programming error here, as {@link #parse} and {@link #fromSip} reject it first.
     */
    static String canonicalHost(String host) {
        Mapped<String> h = Hosts.prepare(host);
        if (!h.isOk()) {
            throw new MappingException("not a host: " + host);
        }
        return h.orThrow();
    }

    @Override
    public String scheme() {
        return "im";
    }

    /** Parses an {@code im:} URI (RFC 3860 §3): {@code im:local@domain}, headers ignored. */
    public static Mapped<ImUri> parse(String text) {
        return parseMailbox(text, "im").map(p -> new ImUri(p[0], p[1], Optional.empty()));
    }

    /**
     * Splits {@code scheme:local@domain[?headers]} (RFC 3860 §3, RFC 3859 §3: the part after the
     * scheme is an RFC 5322 {@code addr-spec}); returns the decoded local part and the prepared host.
     */
    static Mapped<String[]> parseMailbox(String text, String expectedScheme) {
        if (text == null) {
            return bad("no URI");
        }
        String s = Uris.unbracket(text);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return bad("not a URI: " + text);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals(expectedScheme)) {
            return AddressUri.unsupportedScheme(scheme);
        }
        String rest = s.substring(colon + 1);
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        int at = rest.indexOf('@');
        if (at <= 0 || at == rest.length() - 1) {
            return bad("not a local@domain address: " + text);
        }
        String rawLocal = rest.substring(0, at);
        for (int i = 0; i < rawLocal.length(); i++) {
            char c = rawLocal.charAt(i);
            if (!(c < 0x80 && (Character.isLetterOrDigit(c) || LOCAL_RAW.indexOf(c) >= 0))) {
                return bad("local part has '" + c + "', which RFC 3860 §3 does not allow unescaped: " + text);
            }
        }
        Optional<String> local = Uris.percentDecode(rawLocal);
        if (local.isEmpty()) {
            return bad("local part is not valid percent-encoded UTF-8: " + text);
        }
        String rawHost = rest.substring(at + 1);
        if (!Uris.isVisibleAscii(rawHost)) {
            return bad("invalid domain in " + text);
        }
        Mapped<String> host = Hosts.prepare(rawHost);
        if (!host.isOk()) {
            return bad("invalid domain in " + text);
        }
        return Mapped.ok(new String[] {local.get(), host.orThrow()});
    }

    /** The neutral address of a SIP URI: the {@code gr} parameter, if any, names the instance (RFC 7247 §6.4 step 8). */
    public static Mapped<ImUri> fromSip(SipUri uri) {
        if (uri.user().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "SIP URI has no user part: " + uri);
        }
        Mapped<String> host = Hosts.prepare(uri.host());
        if (!host.isOk()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "SIP URI has an invalid host: " + uri);
        }
        // RFC 7247 §6.3: only a GRUU of an address of record maps; a temporary GRUU has a bare "gr".
        return Mapped.ok(new ImUri(uri.user().get(), host.orThrow(), uri.parameter("gr").filter(g -> !g.isEmpty())));
    }

    /**
     * The SIP URI of this address: the instance, if any, becomes the {@code gr} parameter (RFC 7247
     * §6.5 step 8, its non-ASCII characters percent-encoded as §6.3 requires); an internationalized
     * host is written in A-labels, as SIP hosts are ASCII (RFC 3261 §25.1).
     */
    public SipUri toSip() {
        SipUri base = SipUri.of(user, Hosts.toAscii(host));
        return instance.map(i -> base.withParameter("gr", i)).orElse(base);
    }

    /** The {@code pres:} address of the same user (RFC 3859 §3); the instance is dropped. */
    public PresUri toPres() {
        return new PresUri(user, host);
    }

    /** This address without its instance. */
    public ImUri bare() {
        return instance.isEmpty() ? this : new ImUri(user, host, Optional.empty());
    }

    /**
     * The {@code im:} URI form (the instance is not part of it); the user is percent-encoded as
     * RFC 7247 §6.5 step 5 requires, the host written in A-labels.
     */
    @Override
    public String toString() {
        return "im:" + Uris.percentEncode(user, LOCAL_SAFE) + "@" + Hosts.toAscii(host);
    }

    private static <T> Mapped<T> bad(String text) {
        return Mapped.rejected(StanzaErrorCondition.BAD_REQUEST, text);
    }
}
