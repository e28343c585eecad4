package org.isthmus.gateway.store;

/**
 * A decoded record with its name in the namespace and the version it was read at (to pass to a
 * compare-and-set).
 *
 * @param <T> the record type
 */
public record Versioned<T>(String name, T value, long version) {

    /** Checks the parts. */
    public Versioned {
        if (name == null || value == null || version <= 0) {
            throw new IllegalArgumentException("name and value are required, and the version is positive");
        }
    }
}
