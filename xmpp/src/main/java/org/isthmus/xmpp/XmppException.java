package org.isthmus.xmpp;

import java.util.Optional;

import org.isthmus.mapping.error.StanzaErrorCondition;

/**
 * The XMPP module's one unchecked exception: a stanza could not be sent (link down, peer unreachable,
 * write failed, bad address) or the module was used wrongly. When the failure has an RFC 6120 stanza
 * error condition (e.g. {@code remote-server-not-found}, §8.3.3.16, or {@code remote-server-timeout},
 * §8.3.3.17) it is carried, so the gateway can report it to the sender.
 */
public final class XmppException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Kept as a name so the exception stays serializable; never null when set. */
    private final StanzaErrorCondition condition;

    public XmppException(String message) {
        this(message, (StanzaErrorCondition) null, null);
    }

    public XmppException(String message, Throwable cause) {
        this(message, (StanzaErrorCondition) null, cause);
    }

    /**
     * A failure with a stanza error condition.
     *
     * @param message   what failed, for logs
     * @param condition the condition to report to the stanza's sender; null for none
     * @param cause     the underlying failure; null for none
     */
    public XmppException(String message, StanzaErrorCondition condition, Throwable cause) {
        super(message, cause);
        this.condition = condition;
    }

    /** The stanza error condition of the failure, if it has one. */
    public Optional<StanzaErrorCondition> condition() {
        return Optional.ofNullable(condition);
    }
}
