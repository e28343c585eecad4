package org.isthmus.mapping;

/**
 * The mapping module's one unchecked exception: thrown only for programming errors (asking a
 * {@link Mapped} for a value it does not hold, invalid arguments to a factory). Input from the network
 * never causes it; such input yields {@link Rejected}.
 */
public final class MappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MappingException(String message) {
        super(message);
    }
}
