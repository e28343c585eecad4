package org.isthmus.mapping.address;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import com.ibm.icu.text.IDNA;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The neutral CPIM address of an instant-messaging entity, {@code im:user@host} (RFC 3860 §3,
 * RFC 3922 §3), with the instance (an XMPP resource or a SIP GRUU, RFC 7247 §6.3) when a particular
 * endpoint is meant. The user is held decoded: neither JID-escaped nor percent-encoded.
 *
 * @param user     the decoded local part
 * @param host     the domain, in lower case
 * @param instance the endpoint instance, if any
 */
public record ImUri(String user, String host, Optional<String> instance) {

    private static final IDNA IDNA_UTS46 = IDNA.getUTS46Instance(IDNA.NONTRANSITIONAL_TO_ASCII);
    public ImUri {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(instance, "instance");
        host = host.toLowerCase(Locale.ROOT);
    }

    /** The neutral address of a SIP URI: the {@code gr} parameter, if any, names the instance (RFC 7247 §6.4 step 8). */
    public static Mapped<ImUri> fromSip(SipUri uri) {
        if (uri.user().isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "SIP URI has no user part: " + uri);
        }
        return Mapped.ok(new ImUri(uri.user().get(), uri.host(), uri.parameter("gr").filter(g -> !g.isEmpty())));
    }

    /**
     * The SIP URI of this address: the instance, if any, becomes the {@code gr} parameter (RFC 7247
     * §6.5 step 8); an internationalized host is written in A-labels, as SIP hosts are ASCII
     * (RFC 3261 §25.1).
     */
    public SipUri toSip() {
        SipUri base = SipUri.of(user, asciiHost(host));
        return instance.map(i -> base.withParameter("gr", i)).orElse(base);
    }

    private static String asciiHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) >= 0x80) {
                StringBuilder out = new StringBuilder();
                IDNA_UTS46.nameToASCII(host, out, new IDNA.Info());
                return out.toString();
            }
        }
        return host;
    }

    /** This address without its instance. */
    public ImUri bare() {
        return instance.isEmpty() ? this : new ImUri(user, host, Optional.empty());
    }

    /** The {@code im:} URI form; the user is percent-encoded as RFC 7247 §6.5 step 5 requires. */
    @Override
    public String toString() {
        return "im:" + SipUri.percentEncode(user, "!#$&'*+-/=?^_`{|}~") + "@" + host;
    }
}
