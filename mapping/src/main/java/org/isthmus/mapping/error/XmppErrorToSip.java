package org.isthmus.mapping.error;

/**
 * XMPP stanza error conditions to SIP response codes: RFC 7247 §7.1, Table 2, with its notes.
 *
 * <p>Where the table offers a choice, these are the rules applied:
 * <ul>
 *   <li>note (1): {@code feature-not-implemented} is 405 for a full JID, 501 for a bare JID;</li>
 *   <li>note (2): {@code forbidden}, {@code item-not-found}, {@code not-acceptable} and
 *       {@code recipient-unavailable} take the 4xx code for a full JID and the 6xx code for a bare JID;</li>
 *   <li>note (3): {@code gone} is 301 when it names the new address, else 410;</li>
 *   <li>note (4): {@code remote-server-not-found} is 404: a gateway cannot tell "does not exist"
 *       from "cannot be resolved", and 404 does not invite a retry that cannot succeed;</li>
 *   <li>note (5): {@code service-unavailable} is 403, one of the two codes the note names as closest;
 *       503 would be read by SIP as the whole gateway being down;</li>
 *   <li>{@code unexpected-request} is 400: 491 concerns overlapping INVITE transactions and means
 *       nothing for MESSAGE.</li>
 * </ul>
 * The {@code <text/>} of the error, when present, becomes the reason phrase (RFC 7247 §7).
 */
public final class XmppErrorToSip {

    private XmppErrorToSip() {
    }

    /**
     * The SIP status for an XMPP error about a stanza sent to an address.
     *
     * @param error   the stanza error
     * @param fullJid true if the failed stanza was addressed to a full JID (with a resourcepart)
     */
    public static SipStatus statusFor(StanzaError error, boolean fullJid) {
        int code = codeFor(error, fullJid);
        String reason = error.text().map(XmppErrorToSip::reasonPhrase).orElse(SipStatus.defaultReason(code));
        return new SipStatus(code, reason);
    }

    static int codeFor(StanzaError error, boolean fullJid) {
        return switch (error.condition()) {
            case BAD_REQUEST, CONFLICT, JID_MALFORMED, SUBSCRIPTION_REQUIRED, UNDEFINED_CONDITION,
                 UNEXPECTED_REQUEST -> 400;
            case FEATURE_NOT_IMPLEMENTED -> fullJid ? 405 : 501;
            case FORBIDDEN -> fullJid ? 403 : 603;
            case GONE -> error.address().isPresent() ? 301 : 410;
            case INTERNAL_SERVER_ERROR, RESOURCE_CONSTRAINT -> 500;
            case ITEM_NOT_FOUND -> fullJid ? 404 : 604;
            case NOT_ACCEPTABLE -> fullJid ? 406 : 606;
            case NOT_ALLOWED, POLICY_VIOLATION, SERVICE_UNAVAILABLE -> 403;
            case NOT_AUTHORIZED -> 401;
            case RECIPIENT_UNAVAILABLE -> fullJid ? 480 : 600;
            case REDIRECT -> 302;
            case REGISTRATION_REQUIRED -> 407;
            case REMOTE_SERVER_NOT_FOUND -> 404;
            case REMOTE_SERVER_TIMEOUT -> 408;
        };
    }

    /**
     * A reason phrase from free text: RFC 3261 §25.1 allows UTF-8 in it but no CR or LF, so line
     * breaks and other control characters become spaces, and very long text is cut.
     */
    static String reasonPhrase(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 128));
        text.codePoints().limit(128).forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
        String s = sb.toString().strip();
        return s.isEmpty() ? "Error" : s;
    }
}
