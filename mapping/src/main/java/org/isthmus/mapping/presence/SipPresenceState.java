package org.isthmus.mapping.presence;

import java.util.Objects;
import java.util.Optional;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PresenceDocument;

/**
 * The presence state a SIP NOTIFY (RFC 3856 §6.8) or PUBLISH (RFC 3903) carries, as the gateway sees
 * it: the headers RFC 8048 §6 maps and the PIDF body. The dialog (Call-ID, tags, CSeq, Contact,
 * Subscription-State) is the SIP edge's and the subscription mirror's, not part of this value.
 *
 * @param from            the presentity (From, RFC 8048 Tables 1 and 2)
 * @param to              the watcher (To)
 * @param contentLanguage the Content-Language of the body, if any (RFC 8048 Tables 1 and 2: xml:lang)
 * @param document        the {@code application/pidf+xml} body
 */
public record SipPresenceState(SipUri from, SipUri to, Optional<String> contentLanguage, PresenceDocument document) {
    public SipPresenceState {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(contentLanguage, "contentLanguage");
        Objects.requireNonNull(document, "document");
    }
}
