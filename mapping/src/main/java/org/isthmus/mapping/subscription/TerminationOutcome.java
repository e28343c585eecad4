package org.isthmus.mapping.subscription;

/**
 * What a terminated subscription means for the XMPP user who asked for it: RFC 6665 §4.1.3's advice
 * for each reason, read against the permanence of XMPP authorizations (RFC 6121 §3, RFC 8048 §5.2.2,
 * RFC 3922 §6.1). The one table of reason to outcome; the translators and the machine both use it.
 *
 * <table>
 *   <caption>Reason → outcome</caption>
 *   <tr><th>reason (RFC 6665 §4.1.3)</th><th>outcome</th><th>why</th></tr>
 *   <tr><td>rejected</td><td>{@link #CANCELLED}</td><td>authorization refused or withdrawn; RFC 8048
 *       §5.3.1 maps it to and from {@code unsubscribed}</td></tr>
 *   <tr><td>noresource</td><td>{@link #CANCELLED}</td><td>the presentity is gone and re-subscribing
 *       is discouraged; RFC 6121 §4.3.2 answers for a missing account with {@code unsubscribed}</td></tr>
 *   <tr><td>deactivated</td><td>{@link #RESUBSCRIBE}</td><td>"retry immediately", e.g. notifier
 *       migration (§4.4.2)</td></tr>
 *   <tr><td>timeout</td><td>{@link #RESUBSCRIBE}</td><td>"may re-subscribe immediately"; the gateway
 *       keeps the dialog up for as long as the XMPP authorization lasts (RFC 8048 §5.2.2)</td></tr>
 *   <tr><td>probation, giveup, none, any other</td><td>{@link #RETRY_LATER}</td><td>retry after
 *       {@code retry-after}, or the gateway's back-off when it is absent</td></tr>
 *   <tr><td>invariant</td><td>{@link #KEPT}</td><td>"should not re-subscribe"; the authorization
 *       stands and the last state stays true</td></tr>
 * </table>
 */
public enum TerminationOutcome {
    /** The XMPP authorization is over: the XMPP user gets {@code unsubscribed}. */
    CANCELLED,
    /** Re-subscribe now, in a new dialog; the XMPP user sees nothing. */
    RESUBSCRIBE,
    /** Re-subscribe after {@code retry-after} or a back-off; meanwhile the contact is unavailable. */
    RETRY_LATER,
    /** Keep the authorization and the last known presence; do not re-subscribe. */
    KEPT;

    /** The outcome of a terminated state, per the table above. */
    public static TerminationOutcome of(SubscriptionState.Terminated terminated) {
        return terminated.knownReason().map(TerminationOutcome::of).orElse(RETRY_LATER);
    }

    /** The outcome of a defined reason, per the table above. */
    public static TerminationOutcome of(TerminationReason reason) {
        return switch (reason) {
            case REJECTED, NORESOURCE -> CANCELLED;
            case DEACTIVATED, TIMEOUT -> RESUBSCRIBE;
            case PROBATION, GIVEUP -> RETRY_LATER;
            case INVARIANT -> KEPT;
        };
    }
}
