package org.isthmus.xmpp.stream;

/** The XML namespace names the XMPP edge reads and writes (RFC 6120 §11.2, XEP-0114 §7, XEP-0220 §5). */
public final class Namespaces {

    /** The stream namespace of RFC 6120 §4.8.3, bound to the {@code stream} prefix. */
    public static final String STREAMS = "http://etherx.jabber.org/streams";

    /** The namespace of the stream error conditions (RFC 6120 §4.9.3). */
    public static final String STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";

    /** The content namespace of an external component stream (XEP-0114 §3). */
    public static final String COMPONENT_ACCEPT = "jabber:component:accept";

    /** The content namespace of a server-to-server stream (RFC 6120 §4.8.2). */
    public static final String SERVER = "jabber:server";

    /** The namespace of the STARTTLS elements (RFC 6120 §5.4). */
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";

    /** The namespace of the SASL elements (RFC 6120 §6.4). */
    public static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

    /** The namespace of the Server Dialback elements, bound to the {@code db} prefix (XEP-0220 §5). */
    public static final String DIALBACK = "jabber:server:dialback";

    /** The stream feature announcing Server Dialback (XEP-0220 §2.1, §6). */
    public static final String DIALBACK_FEATURE = "urn:xmpp:features:dialback";

    /** The namespace bound to the {@code xml} prefix ({@code xml:lang}). */
    public static final String XML = "http://www.w3.org/XML/1998/namespace";

    private Namespaces() {
    }
}
