/**
 * Presence subscriptions across the gateway (RFC 8048 §5 and §7, RFC 3922 §6): the XMPP subscription
 * stanzas, the SIP SUBSCRIBE and the NOTIFY's Subscription-State (RFC 6665), the neutral CPP operations
 * of RFC 3859 between them, the translators named by direction, and the pure state machine that the
 * gateway's subscription mirror drives ({@link org.isthmus.mapping.subscription.SubscriptionMachine}).
 */
package org.isthmus.mapping.subscription;
