package org.isthmus.mapping.address;

import org.isthmus.mapping.Mapped;

/**
 * What the message translators ask of the address rules (RFC 7247 §6): {@link AddressMapper} answers.
 * Every answer depends only on the question and the rules, so a caller with state of its own (the
 * gateway) may put a cache in front of the mapper; this layer keeps none.
 */
public interface AddressMapping {

    /** The neutral address of a SIP URI ({@link AddressMapper#fromSip}). */
    Mapped<ImUri> fromSip(SipUri uri);

    /** Whether a neutral address belongs to a user of one of the XMPP domains. */
    boolean isXmppUser(ImUri address);

    /** The JID for a neutral address under the default component domain ({@link AddressMapper#toJid(ImUri)}). */
    Mapped<Jid> toJid(ImUri address);

    /** The JID for a neutral address as an XMPP user of {@code counterpartDomain} sees it. */
    Mapped<Jid> toJid(ImUri address, String counterpartDomain);

    /** The neutral address of a JID ({@link AddressMapper#fromJid}). */
    Mapped<ImUri> fromJid(Jid jid);

    /** The SIP URI for a neutral address ({@link AddressMapper#toSipUri}). */
    SipUri toSipUri(ImUri address);
}
