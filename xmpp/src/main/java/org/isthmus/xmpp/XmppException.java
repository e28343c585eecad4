package org.isthmus.xmpp;

/**
 * The XMPP module's one unchecked exception: a stanza could not be sent (link down, write failed,
 * bad address) or the module was used wrongly.
 */
public final class XmppException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XmppException(String message) {
        super(message);
    }

    public XmppException(String message, Throwable cause) {
        super(message, cause);
    }
}
