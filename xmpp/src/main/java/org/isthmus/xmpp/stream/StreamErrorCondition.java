package org.isthmus.xmpp.stream;

import java.util.Locale;
import java.util.Optional;

/**
 * The defined stream error conditions of RFC 6120 §4.9.3; the element name is the enum name in lower
 * case with '-' for '_'.
 */
public enum StreamErrorCondition {
    /** RFC 6120 §4.9.3.1. */
    BAD_FORMAT,
    /** RFC 6120 §4.9.3.2. */
    BAD_NAMESPACE_PREFIX,
    /** RFC 6120 §4.9.3.3. */
    CONFLICT,
    /** RFC 6120 §4.9.3.4. */
    CONNECTION_TIMEOUT,
    /** RFC 6120 §4.9.3.5. */
    HOST_GONE,
    /** RFC 6120 §4.9.3.6. */
    HOST_UNKNOWN,
    /** RFC 6120 §4.9.3.7. */
    IMPROPER_ADDRESSING,
    /** RFC 6120 §4.9.3.8. */
    INTERNAL_SERVER_ERROR,
    /** RFC 6120 §4.9.3.9. */
    INVALID_FROM,
    /** RFC 6120 §4.9.3.10. */
    INVALID_NAMESPACE,
    /** RFC 6120 §4.9.3.11. */
    INVALID_XML,
    /** RFC 6120 §4.9.3.12. */
    NOT_AUTHORIZED,
    /** RFC 6120 §4.9.3.13. */
    NOT_WELL_FORMED,
    /** RFC 6120 §4.9.3.14. */
    POLICY_VIOLATION,
    /** RFC 6120 §4.9.3.15. */
    REMOTE_CONNECTION_FAILED,
    /** RFC 6120 §4.9.3.16. */
    RESET,
    /** RFC 6120 §4.9.3.17. */
    RESOURCE_CONSTRAINT,
    /** RFC 6120 §4.9.3.18. */
    RESTRICTED_XML,
    /** RFC 6120 §4.9.3.19. */
    SEE_OTHER_HOST,
    /** RFC 6120 §4.9.3.20. */
    SYSTEM_SHUTDOWN,
    /** RFC 6120 §4.9.3.21. */
    UNDEFINED_CONDITION,
    /** RFC 6120 §4.9.3.22. */
    UNSUPPORTED_ENCODING,
    /** RFC 6120 §4.9.3.23. */
    UNSUPPORTED_FEATURE,
    /** RFC 6120 §4.9.3.24. */
    UNSUPPORTED_STANZA_TYPE,
    /** RFC 6120 §4.9.3.25. */
    UNSUPPORTED_VERSION;

    private final String elementName = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The local name of the condition element, e.g. {@code not-authorized}. */
    public String elementName() {
        return elementName;
    }

    /** The condition for an element name, if it is a defined one. */
    public static Optional<StreamErrorCondition> fromElementName(String name) {
        for (StreamErrorCondition c : values()) {
            if (c.elementName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
