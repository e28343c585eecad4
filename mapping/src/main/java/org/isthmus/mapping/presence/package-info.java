/**
 * Presence notifications on each side and the neutral CPIM presence between them (RFC 3922 §5,
 * RFC 3859), with the translators of RFC 8048 §6: {@link org.isthmus.mapping.presence.XmppPresenceToCpim},
 * {@link org.isthmus.mapping.presence.CpimPresenceToSip}, {@link org.isthmus.mapping.presence.SipPresenceToCpim}
 * and {@link org.isthmus.mapping.presence.CpimPresenceToXmpp}. Subscription handling (subscribe, probe,
 * Subscription-State) is not here but in the subscription package.
 */
package org.isthmus.mapping.presence;
