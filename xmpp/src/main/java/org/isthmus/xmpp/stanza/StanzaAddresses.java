package org.isthmus.xmpp.stanza;

import java.util.Optional;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.xmpp.stream.XmlElement;

/**
 * The {@code from} and {@code to} of a stanza the gateway receives, both required and both valid JIDs
 * (RFC 6120 §8.1.1, §8.1.2; XEP-0114 §3 requires both on a component stream).
 *
 * @param from the sender
 * @param to   the addressee
 */
record StanzaAddresses(Jid from, Jid to) {

    /** The stanza's addresses, or {@code jid-malformed} (RFC 6120 §8.3.3.8) naming what is wrong. */
    static Mapped<StanzaAddresses> of(XmlElement stanza) {
        Optional<String> fromText = stanza.attribute("from");
        Optional<String> toText = stanza.attribute("to");
        if (fromText.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, stanza.name() + " without 'from'");
        }
        if (toText.isEmpty()) {
            return Mapped.rejected(StanzaErrorCondition.JID_MALFORMED, stanza.name() + " without 'to'");
        }
        return Jid.parse(fromText.get()).then(from -> Jid.parse(toText.get()).map(to -> new StanzaAddresses(from, to)));
    }
}
