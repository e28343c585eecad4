package org.isthmus.mapping.document.pidf;

/** The namespace names a PIDF document uses for the elements this package interprets. */
final class Namespaces {

    /** RFC 3863 §4.2.2. */
    static final String PIDF = "urn:ietf:params:xml:ns:pidf";
    /** RFC 4479 §7 (the data model's person, device, deviceID, note and timestamp). */
    static final String DATA_MODEL = "urn:ietf:params:xml:ns:pidf:data-model";
    /** RFC 4480 §5.1. */
    static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";
    /** RFC 8048 §6.2 note 7: XMPP's {@code <show/>} carried as a PIDF status extension. */
    static final String JABBER_CLIENT = "jabber:client";
    /** The hypothetical instant-messaging status extension of RFC 3863 §4.3.1, used by RFC 3922 §5. */
    static final String PIDF_IM = "urn:ietf:params:xml:ns:pidf:im";
    /** XML 1.0 §2.12: the namespace of {@code xml:lang}, bound to the prefix {@code xml} by definition. */
    static final String XML = "http://www.w3.org/XML/1998/namespace";

    private Namespaces() {
    }
}
