package org.isthmus.mapping.presence;

/**
 * The kinds of XMPP presence stanza that carry or answer presence information (RFC 6121 §4.7.1); the
 * subscription types (subscribe, subscribed, unsubscribe, unsubscribed, probe) belong to the
 * subscription package.
 */
public enum PresenceType {
    /** No {@code type} attribute: the sender is available (RFC 6121 §4.7.1). */
    AVAILABLE,
    /** {@code type='unavailable'}. */
    UNAVAILABLE,
    /** {@code type='error'}: a presence stanza that could not be delivered (RFC 6120 §8.3). */
    ERROR
}
