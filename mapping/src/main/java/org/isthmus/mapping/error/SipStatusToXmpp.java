package org.isthmus.mapping.error;

import java.util.Optional;

/**
 * SIP response codes to XMPP stanza errors: RFC 7247 §7.2, Table 3, with its notes. Codes the table
 * does not list fall back by class: 3xx {@code redirect}, 4xx {@code bad-request}, 5xx
 * {@code internal-server-error}, 6xx {@code recipient-unavailable}. The reason phrase becomes the
 * error's {@code <text/>} (RFC 7247 §7).
 */
public final class SipStatusToXmpp {

    private SipStatusToXmpp() {
    }

    /**
     * The stanza error for a SIP failure response.
     *
     * @param status  the final response (3xx to 6xx)
     * @param contact for a 301, the new address from the response's Contact header; note (1) says the
     *                {@code <gone/>} element then carries it
     */
    public static StanzaError errorFor(SipStatus status, Optional<String> contact) {
        StanzaErrorCondition condition = conditionFor(status.code());
        StanzaError error = StanzaError.of(condition, status.reason());
        if (status.code() == 301 && contact.isPresent()) {
            return error.withAddress(contact.get());
        }
        return error;
    }

    /** The condition for a status code, per Table 3 and the class fallbacks above it. */
    public static StanzaErrorCondition conditionFor(int code) {
        return switch (code) {
            case 301, 410 -> StanzaErrorCondition.GONE;
            case 380, 406, 415, 416, 421, 482, 483, 488, 505, 606 -> StanzaErrorCondition.NOT_ACCEPTABLE;
            case 401 -> StanzaErrorCondition.NOT_AUTHORIZED;
            case 402, 400, 493 -> StanzaErrorCondition.BAD_REQUEST;
            case 403 -> StanzaErrorCondition.FORBIDDEN;
            case 404, 481, 484, 485, 604 -> StanzaErrorCondition.ITEM_NOT_FOUND;
            case 405, 420, 439, 501 -> StanzaErrorCondition.FEATURE_NOT_IMPLEMENTED;
            case 407 -> StanzaErrorCondition.REGISTRATION_REQUIRED;
            case 408, 504 -> StanzaErrorCondition.REMOTE_SERVER_TIMEOUT;
            case 413, 414, 440, 489, 513 -> StanzaErrorCondition.POLICY_VIOLATION;
            case 423 -> StanzaErrorCondition.RESOURCE_CONSTRAINT;
            case 430, 480, 486, 487, 600, 603 -> StanzaErrorCondition.RECIPIENT_UNAVAILABLE;
            case 491 -> StanzaErrorCondition.UNEXPECTED_REQUEST;
            case 502 -> StanzaErrorCondition.REMOTE_SERVER_NOT_FOUND;
            case 500, 503 -> StanzaErrorCondition.INTERNAL_SERVER_ERROR;
            default -> byClass(code);
        };
    }

    private static StanzaErrorCondition byClass(int code) {
        if (code >= 300 && code < 400) {
            return StanzaErrorCondition.REDIRECT;
        }
        if (code >= 500 && code < 600) {
            return StanzaErrorCondition.INTERNAL_SERVER_ERROR;
        }
        if (code >= 600) {
            return StanzaErrorCondition.RECIPIENT_UNAVAILABLE;
        }
        return StanzaErrorCondition.BAD_REQUEST;
    }
}
