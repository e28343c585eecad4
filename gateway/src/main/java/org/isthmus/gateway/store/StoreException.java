package org.isthmus.gateway.store;

/**
 * A state store failed: the backend could not read or write (I/O, connection, timeout), a stored
 * value is not what an operation needs (a counter that is not a number), or the store is closed.
 * Operations report it by completing their stage exceptionally; it names the key where there is one.
 */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure with no underlying cause. */
    public StoreException(String message) {
        super(message);
    }

    /** A failure caused by the backend's own exception. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
