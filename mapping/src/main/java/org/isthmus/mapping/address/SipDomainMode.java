package org.isthmus.mapping.address;

/**
 * How the users of a SIP domain appear in XMPP (DESIGN.md "two modes, chosen per domain"; the
 * deployments of RFC 7247 §5).
 */
public enum SipDomainMode {

    /**
     * Federation (RFC 7247 §6): the gateway is authoritative for the domain on the XMPP network, so
     * {@code sip:juliet@example.com} is {@code juliet@example.com}, with the local part escaped per
     * XEP-0106 where a localpart forbids a character.
     */
    FEDERATION,

    /**
     * Component: the user appears as an escaped {@code user@host} localpart of the gateway's own
     * domain, {@code romeo\40sip.example@gw.xmpp.example} (XEP-0106 §5.3, XEP-0100).
     */
    COMPONENT,

    /** Not served: addresses in the domain are refused (remote-server-not-found, SIP 404). */
    REFUSED
}
