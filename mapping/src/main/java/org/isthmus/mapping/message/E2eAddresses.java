package org.isthmus.mapping.message;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.MappingException;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.document.cpim.CpimAddress;
import org.isthmus.mapping.document.cpim.CpimDecoder;
import org.isthmus.mapping.document.cpim.CpimDocument;
import org.isthmus.mapping.document.cpim.MimeEntity;
import org.isthmus.mapping.document.pidf.PidfParser;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * Checks the addresses inside a secured Message/CPIM object against the ones the gateway routes it by.
 *
 * <p>RFC 3923 §8 has the gateway map only the outer wrapper and leave the object alone, so the
 * recipient learns who sent it from the outer address, while the signature vouches for the inner
 * Message/CPIM From (RFC 3428 §11.5: a signed message/cpim body gives sender authentication across a
 * gateway; RFC 3862 §9). A receiving agent checks the outer sender against the signer's certificate
 * (RFC 3923 §6.3), not against the inner From; an object whose inner From names someone other than
 * the outer sender, or whose To does not name the outer recipient, would be delivered as coming from,
 * or meant for, someone it was not. The gateway refuses those rather than pass them on.
 *
 * <p>Addresses compare as the originator wrote them, in any of the forms RFC 3922 §3 and RFC 3862
 * allow: {@code im:}, {@code pres:} and {@code xmpp:} URIs holding a JID, which the address rules
 * read as the gateway does (so {@code im:bob%5C40sip.example@sip.xmpp.example}, the XEP-0106
 * backslash percent-encoded as RFC 3986 §2.1 asks, is {@code bob@sip.example}),
 * and {@code sip:}/{@code sips:} URIs; user and host only, an instance (resource, GRUU) never matters
 * (RFC 3923 §6.3: the resource SHOULD be ignored).
 */
public final class E2eAddresses {

    private E2eAddresses() {
    }

    /**
     * Checks the readable content of a secured message: the MIME entity a signature covers.
     *
     * <ul>
     *   <li>{@code message/cpim}: its From must be the sender and its To, if any, must include the
     *       recipient (403 / {@code forbidden}).</li>
     *   <li>{@code application/pkcs7-mime}: an object encrypted before it was signed has no readable
     *       addresses; nothing to check.</li>
     *   <li>Anything else: refused (415 / {@code not-acceptable}), as RFC 3923 §3.1 step 1 makes a secured
     *       message a Message/CPIM object.</li>
     * </ul>
     *
     * @param entity    the entity's octets: header fields, a blank line, the body
     * @param sender    the outer sender
     * @param recipient the outer recipient
     * @param addresses the address rules
     * @return the refusal, or empty when the object may pass
     */
    public static Optional<Rejected> check(byte[] entity, ImUri sender, ImUri recipient, AddressMapper addresses) {
        CpimDecoder decoder = decoder(entity);
        Mapped<Optional<MimeEntity>> readable = readable(decoder, entity, "message", "cpim",
                "a secured message must be a Message/CPIM object (RFC 3923 §3.1)");
        if (readable instanceof Mapped.Failed<Optional<MimeEntity>> failed) {
            return Optional.of(failed.rejected());
        }
        if (readable.orThrow().isEmpty()) {
            return Optional.empty();
        }
        MimeEntity e = readable.orThrow().get();
        Mapped<CpimDocument> document = decoder.decode(e.body());
        if (document instanceof Mapped.Failed<CpimDocument> failed) {
            return Optional.of(failed.rejected());
        }
        CpimDocument d = document.orThrow();
        if (d.from().isEmpty()) {
            return Optional.of(forbidden("the secured Message/CPIM object has no From naming its originator (RFC 3862 §4.1, RFC 3923 §3.2)"));
        }
        Mapped<ImUri> from = address(d.from().get(), addresses);
        if (!from.isOk() || !sameUser(from.orThrow(), sender)) {
            return Optional.of(forbidden("the secured Message/CPIM From " + d.from().get().uri()
                    + " is not the sender " + sender.bare()));
        }
        List<CpimAddress> to = d.to();
        if (!to.isEmpty() && to.stream().map(t -> address(t, addresses))
                .noneMatch(t -> t.isOk() && sameUser(t.orThrow(), recipient))) {
            return Optional.of(forbidden("the secured Message/CPIM To does not name the recipient " + recipient.bare()));
        }
        return Optional.empty();
    }

    /**
     * Checks the readable content of a secured presence (RFC 3923 §4.1): the MIME entity a signature
     * covers.
     *
     * <ul>
     *   <li>{@code application/pidf+xml}: it must parse (the hardened PIDF parser; 400 /
     *       {@code bad-request} otherwise), and its {@code entity} (RFC 3863 §4.1.1, a {@code pres:}
     *       URI) must name the sender (403 / {@code forbidden}). A PIDF has no watcher, so there is no
     *       recipient to compare.</li>
     *   <li>{@code application/pkcs7-mime}: an object encrypted before it was signed has no readable
     *       presentity; nothing to check.</li>
     *   <li>Anything else: refused (415 / {@code not-acceptable}), as RFC 3923 §4.1 step 1 makes a
     *       secured presence a PIDF object.</li>
     * </ul>
     *
     * @param entity    the entity's octets: header fields, a blank line, the body
     * @param sender    the outer sender, the presentity
     * @param addresses the address rules
     * @return the refusal, or empty when the object may pass
     */
    public static Optional<Rejected> checkPresence(byte[] entity, ImUri sender, AddressMapper addresses) {
        Mapped<Optional<MimeEntity>> readable = readable(decoder(entity), entity, "application", "pidf+xml",
                "a secured presence must be an application/pidf+xml object (RFC 3923 §4.1)");
        if (readable instanceof Mapped.Failed<Optional<MimeEntity>> failed) {
            return Optional.of(failed.rejected());
        }
        if (readable.orThrow().isEmpty()) {
            return Optional.empty();
        }
        Mapped<PresenceDocument> document = new PidfParser().parse(readable.orThrow().get().body());
        if (document instanceof Mapped.Failed<PresenceDocument> failed) {
            return Optional.of(new Rejected(StanzaErrorCondition.BAD_REQUEST,
                    "the secured PIDF object does not parse: " + failed.rejected().text(), Optional.of(SipStatus.of(400))));
        }
        String presentity = document.orThrow().entity();
        if (!names(presentity, sender, addresses)) {
            return Optional.of(forbidden("the secured PIDF entity " + presentity + " is not the sender " + sender.bare()
                    + " (RFC 3863 §4.1.1, RFC 3923 §4.1)"));
        }
        return Optional.empty();
    }

    /**
     * Whether a URI names this user (user and host; the instance ignored), read as {@link #check} reads
     * inner addresses. For a certificate's subjectAltName URI, or an {@code id-on-xmppAddr} written as
     * an {@code xmpp:} URI, that RFC 3923 §6.3 matches against the sender.
     */
    public static boolean names(String uri, ImUri who, AddressMapper addresses) {
        try {
            Mapped<ImUri> a = address(CpimAddress.of(uri), addresses);
            return a.isOk() && sameUser(a.orThrow(), who);
        } catch (MappingException notAUri) {
            return false;
        }
    }

    private static CpimDecoder decoder(byte[] entity) {
        return new CpimDecoder(Math.max(1, entity.length), CpimDecoder.DEFAULT_MAX_HEADERS,
                CpimDecoder.DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * The signed entity read as MIME, if it is of the expected type; empty when it is itself encrypted
     * ({@code application/pkcs7-mime}: encrypted before it was signed, nothing readable to check);
     * refused with 415 / {@code not-acceptable} when it is of any other type.
     */
    private static Mapped<Optional<MimeEntity>> readable(CpimDecoder decoder, byte[] entity, String type,
                                                         String subtype, String expectation) {
        Mapped<MimeEntity> read = decoder.decodeMimeEntity(entity, 0, entity.length);
        if (read instanceof Mapped.Failed<MimeEntity> failed) {
            return Mapped.rejected(failed.rejected());
        }
        MimeEntity e = read.orThrow();
        Mapped<MediaType> parsed = MediaType.parse(e.contentType().orElse("text/plain"));
        if (parsed.isOk() && (parsed.orThrow().is("application", "pkcs7-mime")
                || parsed.orThrow().is("application", "x-pkcs7-mime"))) {
            return Mapped.ok(Optional.empty());
        }
        if (!parsed.isOk() || !parsed.orThrow().is(type, subtype)) {
            return Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE, expectation + ", not "
                    + e.contentType().orElse("untyped content"), Optional.of(SipStatus.of(415))));
        }
        return Mapped.ok(Optional.of(e));
    }

    /** The neutral address of an inner CPIM address, read the way the gateway reads the outer ones. */
    static Mapped<ImUri> address(CpimAddress address, AddressMapper addresses) {
        String uri = address.uri();
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
        if (scheme.equals("xmpp") || scheme.equals("im") || scheme.equals("pres")) {
            String rest = uri.substring(colon + 1);
            // An xmpp: URI (RFC 5122) may carry an authority ("//"), and a query after '?'.
            if (rest.startsWith("//")) {
                int slash = rest.indexOf('/', 2);
                rest = slash < 0 ? "" : rest.substring(slash + 1);
            }
            int query = rest.indexOf('?');
            rest = query < 0 ? rest : rest.substring(0, query);
            // RFC 3986 §2.1: characters a URI cannot hold, such as XEP-0106's backslash, are
            // percent-encoded (%5C); '+' is itself, not a space.
            Mapped<Jid> jid;
            try {
                jid = Jid.parse(URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformedEscape) {
                jid = Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "malformed percent-encoding in " + uri);
            }
            if (jid.isOk()) {
                Mapped<ImUri> viaJid = addresses.fromJid(jid.orThrow().bare());
                if (viaJid.isOk()) {
                    return viaJid;
                }
            }
            if (scheme.equals("xmpp")) {
                return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, "not an XMPP address: " + uri);
            }
        }
        return CpimWrapper.address(address);
    }

    private static boolean sameUser(ImUri a, ImUri b) {
        return a.user().equals(b.user()) && a.host().equals(b.host());
    }

    private static Rejected forbidden(String text) {
        return new Rejected(StanzaErrorCondition.FORBIDDEN, text, Optional.of(SipStatus.of(403)));
    }
}
