package org.isthmus.mapping.address;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;

/**
 * The neutral CPIM address of a presentity, {@code pres:user@host} (RFC 3859 §3, RFC 3922 §3); the
 * XMPP resource is not part of it (RFC 3922 §3.2 step 1: "discard this").
 *
 * @param user the decoded local part, not empty
 * @param host the domain in its prepared form, as in {@link ImUri}
 */
public record PresUri(String user, String host) implements AddressUri {

    public PresUri {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        if (user.isEmpty()) {
            throw new MappingException("empty user in a pres: address");
        }
        host = ImUri.canonicalHost(host);
    }

    @Override
    public String scheme() {
        return "pres";
    }

    /** Parses a {@code pres:} URI (RFC 3859 §3): {@code pres:local@domain}, headers ignored. */
    public static Mapped<PresUri> parse(String text) {
        return ImUri.parseMailbox(text, "pres").map(p -> new PresUri(p[0], p[1]));
    }

    /** The {@code im:} address of the same user, with no instance. */
    public ImUri toIm() {
        return new ImUri(user, host, Optional.empty());
    }

    /** The {@code pres:} URI form, encoded as {@link ImUri#toString()} is (RFC 7247 §6.5 step 5). */
    @Override
    public String toString() {
        return "pres:" + Uris.percentEncode(user, ImUri.LOCAL_SAFE) + "@" + Hosts.toAscii(host);
    }
}
