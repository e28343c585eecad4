package org.isthmus.gateway.config;

/**
 * One thing wrong in the configuration file.
 *
 * @param path    the YAML path of the value, e.g. {@code xmpp.component.port}
 * @param value   the offending value as written, or empty if it is missing
 * @param message what is wrong and what is allowed instead
 */
public record ConfigProblem(String path, String value, String message) {

    /** One line for a person: {@code path: value: message}. */
    public String describe() {
        return value.isEmpty() ? path + ": " + message : path + ": '" + value + "': " + message;
    }
}
