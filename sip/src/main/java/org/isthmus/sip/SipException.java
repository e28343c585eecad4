package org.isthmus.sip;

/**
 * The SIP module's one unchecked exception: the edge could not start (port taken, bad address) or was
 * given invalid settings. Network outcomes of requests are never reported with it; they are statuses.
 */
public final class SipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SipException(String message) {
        super(message);
    }

    public SipException(String message, Throwable cause) {
        super(message, cause);
    }
}
