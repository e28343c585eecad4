package org.isthmus.mapping.address;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

import com.ibm.icu.text.IDNA;
import rocks.xmpp.precis.PrecisProfiles;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * An XMPP address (RFC 7622): optional localpart, domainpart, optional resourcepart, each held in
 * its prepared form so that record equality is JID equality (RFC 7622 §3).
 *
 * @param local    the localpart, PRECIS UsernameCaseMapped (RFC 7622 §3.3)
 * @param domain   the domainpart, IDNA U-labels in lower case or an IP literal (RFC 7622 §3.2)
 * @param resource the resourcepart, PRECIS OpaqueString (RFC 7622 §3.4)
 */
public record Jid(Optional<String> local, String domain, Optional<String> resource) {

    /** RFC 7622 §3.2–§3.4: each part is at most 1023 octets once prepared. */
    public static final int MAX_PART_OCTETS = 1023;

    /** Characters RFC 7622 §3.3.1 forbids in a localpart although PRECIS allows them. */
    private static final String FORBIDDEN_IN_LOCAL = "\"&'/:<>@";

    private static final IDNA IDNA_UTS46 = IDNA.getUTS46Instance(
            IDNA.NONTRANSITIONAL_TO_UNICODE | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ);

    public Jid {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(resource, "resource");
        if (domain.isEmpty()) {
            throw new MappingException("empty domainpart");
        }
    }

    /** Parses and prepares a JID from its string form (RFC 7622 §3.1). */
    public static Mapped<Jid> parse(String text) {
        if (text == null || text.isEmpty()) {
            return malformed("empty JID");
        }
        int slash = text.indexOf('/');
        String bare = slash < 0 ? text : text.substring(0, slash);
        String resource = slash < 0 ? null : text.substring(slash + 1);
        int at = bare.indexOf('@');
        String local = at < 0 ? null : bare.substring(0, at);
        String domain = at < 0 ? bare : bare.substring(at + 1);
        return of(local, domain, resource);
    }

    /** Prepares and checks the three parts; {@code local} and {@code resource} may be null (absent). */
    public static Mapped<Jid> of(String local, String domain, String resource) {
        Mapped<String> d = prepareDomain(domain);
        if (!d.isOk()) {
            return d.map(x -> null);
        }
        Optional<String> l = Optional.empty();
        if (local != null) {
            Mapped<String> pl = prepareLocal(local);
            if (!pl.isOk()) {
                return pl.map(x -> null);
            }
            l = Optional.of(pl.orThrow());
        }
        Optional<String> r = Optional.empty();
        if (resource != null) {
            Mapped<String> pr = prepareResource(resource);
            if (!pr.isOk()) {
                return pr.map(x -> null);
            }
            r = Optional.of(pr.orThrow());
        }
        return Mapped.ok(new Jid(l, d.orThrow(), r));
    }

    /** RFC 7622 §3.3: UsernameCaseMapped, then the extra exclusions of §3.3.1 and the length limit. */
    static Mapped<String> prepareLocal(String local) {
        if (local.isEmpty()) {
            return malformed("empty localpart");
        }
        String prepared;
        try {
            prepared = PrecisProfiles.USERNAME_CASE_MAPPED.enforce(local);
        } catch (IllegalArgumentException e) {
            return malformed("localpart is not a valid PRECIS username: " + e.getMessage());
        }
        for (int i = 0; i < prepared.length(); i++) {
            if (FORBIDDEN_IN_LOCAL.indexOf(prepared.charAt(i)) >= 0) {
                return malformed("localpart contains '" + prepared.charAt(i) + "' (RFC 7622 §3.3.1)");
            }
        }
        return checkLength("localpart", prepared);
    }

    /** RFC 7622 §3.2: an IP literal, or a domain name converted to U-labels (IDNA2008 via UTS #46). */
    static Mapped<String> prepareDomain(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty()) {
            return malformed("empty domainpart");
        }
        if (d.startsWith("[") && d.endsWith("]")) {
            return isIpv6(d.substring(1, d.length() - 1)) ? checkLength("domainpart", d.toLowerCase(java.util.Locale.ROOT))
                    : malformed("invalid IPv6 literal " + d);
        }
        StringBuilder out = new StringBuilder();
        IDNA.Info info = new IDNA.Info();
        IDNA_UTS46.nameToUnicode(d, out, info);
        if (info.hasErrors()) {
            return malformed("domainpart is not a valid domain name: " + info.getErrors());
        }
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c < 0x80 && !(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                return malformed("domainpart contains '" + c + "'");
            }
        }
        return checkLength("domainpart", out.toString());
    }

    /** RFC 7622 §3.4: OpaqueString. */
    static Mapped<String> prepareResource(String resource) {
        if (resource.isEmpty()) {
            return malformed("empty resourcepart");
        }
        try {
            return checkLength("resourcepart", PrecisProfiles.OPAQUE_STRING.enforce(resource));
        } catch (IllegalArgumentException e) {
            return malformed("resourcepart is not a valid PRECIS string: " + e.getMessage());
        }
    }

    private static boolean isIpv6(String s) {
        if (s.isEmpty() || s.chars().anyMatch(c -> !(Character.digit(c, 16) >= 0 || c == ':' || c == '.'))) {
            return false;
        }
        return s.contains(":");
    }

    private static Mapped<String> checkLength(String what, String prepared) {
        if (prepared.getBytes(StandardCharsets.UTF_8).length > MAX_PART_OCTETS) {
            return malformed(what + " is longer than " + MAX_PART_OCTETS + " octets");
        }
        return Mapped.ok(prepared);
    }

    private static <T> Mapped<T> malformed(String text) {
        return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, text);
    }

    /** This address without its resourcepart. */
    public Jid bare() {
        return resource.isEmpty() ? this : new Jid(local, domain, Optional.empty());
    }

    public boolean isBare() {
        return resource.isEmpty();
    }

    /** A copy with the given (already prepared or to-be-prepared) resourcepart. */
    public Mapped<Jid> withResource(String newResource) {
        return prepareResource(newResource).map(r -> new Jid(local, domain, Optional.of(r)));
    }

    /** The string form of RFC 7622 §3.1. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        local.ifPresent(l -> sb.append(l).append('@'));
        sb.append(domain);
        resource.ifPresent(r -> sb.append('/').append(r));
        return sb.toString();
    }
}
