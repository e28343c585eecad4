package org.isthmus.xmpp.stream;

/** The XML namespace names the XMPP edge reads and writes (RFC 6120 §11.2, XEP-0114 §7). */
public final class Namespaces {

    /** The stream namespace of RFC 6120 §4.8.3, bound to the {@code stream} prefix. */
    public static final String STREAMS = "http://etherx.jabber.org/streams";

    /** The namespace of the stream error conditions (RFC 6120 §4.9.3). */
    public static final String STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";

    /** The content namespace of an external component stream (XEP-0114 §3). */
    public static final String COMPONENT_ACCEPT = "jabber:component:accept";

    /** The namespace bound to the {@code xml} prefix ({@code xml:lang}). */
    public static final String XML = "http://www.w3.org/XML/1998/namespace";

    private Namespaces() {
    }
}
