package org.isthmus.mapping.error;

import java.util.Optional;

/**
 * The defined stanza error conditions of RFC 6120 §8.3.3, each with the error type that section
 * shows for it. The element name is the enum name in lower case with '-' for '_'.
 */
public enum StanzaErrorCondition {
    /** RFC 6120 §8.3.3.1. */
    BAD_REQUEST(StanzaErrorType.MODIFY),
    /** RFC 6120 §8.3.3.2. */
    CONFLICT(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.3. */
    FEATURE_NOT_IMPLEMENTED(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.4. */
    FORBIDDEN(StanzaErrorType.AUTH),
    /** RFC 6120 §8.3.3.5. */
    GONE(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.6. */
    INTERNAL_SERVER_ERROR(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.7. */
    ITEM_NOT_FOUND(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.8. */
    JID_MALFORMED(StanzaErrorType.MODIFY),
    /** RFC 6120 §8.3.3.9. */
    NOT_ACCEPTABLE(StanzaErrorType.MODIFY),
    /** RFC 6120 §8.3.3.10. */
    NOT_ALLOWED(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.11. */
    NOT_AUTHORIZED(StanzaErrorType.AUTH),
    /** RFC 6120 §8.3.3.12. */
    POLICY_VIOLATION(StanzaErrorType.MODIFY),
    /** RFC 6120 §8.3.3.13. */
    RECIPIENT_UNAVAILABLE(StanzaErrorType.WAIT),
    /** RFC 6120 §8.3.3.14. */
    REDIRECT(StanzaErrorType.MODIFY),
    /** RFC 6120 §8.3.3.15. */
    REGISTRATION_REQUIRED(StanzaErrorType.AUTH),
    /** RFC 6120 §8.3.3.16. */
    REMOTE_SERVER_NOT_FOUND(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.17. */
    REMOTE_SERVER_TIMEOUT(StanzaErrorType.WAIT),
    /** RFC 6120 §8.3.3.18. */
    RESOURCE_CONSTRAINT(StanzaErrorType.WAIT),
    /** RFC 6120 §8.3.3.19. */
    SERVICE_UNAVAILABLE(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.20. */
    SUBSCRIPTION_REQUIRED(StanzaErrorType.AUTH),
    /** RFC 6120 §8.3.3.21. */
    UNDEFINED_CONDITION(StanzaErrorType.CANCEL),
    /** RFC 6120 §8.3.3.22. */
    UNEXPECTED_REQUEST(StanzaErrorType.WAIT);

    /** The namespace of the condition elements (RFC 6120 §8.3.3). */
    public static final String NAMESPACE = "urn:ietf:params:xml:ns:xmpp-stanzas";

    private final StanzaErrorType defaultType;
    private final String elementName;

    StanzaErrorCondition(StanzaErrorType defaultType) {
        this.defaultType = defaultType;
        this.elementName = name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The error type RFC 6120 §8.3.3 gives in this condition's example. */
    public StanzaErrorType defaultType() {
        return defaultType;
    }

    /** The local name of the condition element, e.g. {@code item-not-found}. */
    public String elementName() {
        return elementName;
    }

    public static Optional<StanzaErrorCondition> fromElementName(String name) {
        for (StanzaErrorCondition c : values()) {
            if (c.elementName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
