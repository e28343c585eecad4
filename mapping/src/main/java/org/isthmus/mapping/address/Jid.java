package org.isthmus.mapping.address;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

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

    /**
     * Text longer than this (in UTF-16 units) cannot prepare to 1023 octets or fewer, as no mapping
     * of RFC 7613 or IDNA shrinks text fourfold; refusing it first keeps hostile input cheap.
     */
    private static final int MAX_INPUT_CHARS = 4 * MAX_PART_OCTETS;

    /** Characters RFC 7622 §3.3.1 forbids in a localpart although PRECIS allows them. */
    private static final String FORBIDDEN_IN_LOCAL = "\"&'/:<>@";

    /**
     * Checks the shape only; the parts must already be prepared. Build JIDs from text with
     * {@link #parse} or {@link #of}, which prepare and return a rejection instead of throwing.
     */
    public Jid {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(resource, "resource");
        if (domain.isEmpty() || domain.indexOf('/') >= 0 || domain.indexOf('@') >= 0) {
            throw new MappingException("not a prepared domainpart: " + domain);
        }
        if (local.isPresent() && (local.get().isEmpty() || local.get().indexOf('@') >= 0
                || local.get().indexOf('/') >= 0)) {
            throw new MappingException("not a prepared localpart: " + local.get());
        }
        if (resource.isPresent() && resource.get().isEmpty()) {
            throw new MappingException("empty resourcepart");
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
        if (local.length() > MAX_INPUT_CHARS) {
            return malformed("localpart is longer than " + MAX_PART_OCTETS + " octets");
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

    /**
     * RFC 7622 §3.2: an IPv4 or IPv6 literal, or a domain name in U-labels (IDNA2008 through UTS #46:
     * mapping, the Bidi rule of RFC 5893, ContextJ/ContextO, labels of at most 63 octets and names
     * of at most 253 in their A-label form, RFC 1034 §3.1), then at most 1023 octets in UTF-8.
     */
    static Mapped<String> prepareDomain(String domain) {
        if (domain.length() > MAX_INPUT_CHARS) {
            return malformed("domainpart is longer than " + MAX_PART_OCTETS + " octets");
        }
        Mapped<String> host = Hosts.prepare(domain);
        return host.isOk() ? checkLength("domainpart", host.orThrow()) : host;
    }

    /**
     * RFC 7622 §3.4: OpaqueString. A leading space is refused as well: the profile allows it, but
     * RFC 7622 §3.5 Table 2 example 18 lists {@code juliet@example.com/ foo} among the strings that
     * are not JIDs, and a resource that differs from another only by a leading space is a spoof.
     */
    static Mapped<String> prepareResource(String resource) {
        if (resource.isEmpty()) {
            return malformed("empty resourcepart");
        }
        if (resource.length() > MAX_INPUT_CHARS) {
            return malformed("resourcepart is longer than " + MAX_PART_OCTETS + " octets");
        }
        String prepared;
        try {
            prepared = PrecisProfiles.OPAQUE_STRING.enforce(resource);
        } catch (IllegalArgumentException e) {
            return malformed("resourcepart is not a valid PRECIS string: " + e.getMessage());
        }
        if (prepared.charAt(0) == ' ') {
            return malformed("resourcepart starts with a space (RFC 7622 §3.5 example 18)");
        }
        return checkLength("resourcepart", prepared);
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
