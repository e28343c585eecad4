package org.isthmus.mapping.subscription;

/**
 * The nine subscription states of RFC 6121 Appendix A.1, from the XMPP user's side: the user's
 * subscription to the contact ("to", "Pending Out") and the contact's to the user ("from", "Pending In").
 */
public enum RosterSubscription {
    /** "None". */
    NONE(AuthorizationState.NONE, AuthorizationState.NONE),
    /** "None + Pending Out". */
    NONE_PENDING_OUT(AuthorizationState.PENDING, AuthorizationState.NONE),
    /** "None + Pending In". */
    NONE_PENDING_IN(AuthorizationState.NONE, AuthorizationState.PENDING),
    /** "None + Pending Out+In". */
    NONE_PENDING_OUT_IN(AuthorizationState.PENDING, AuthorizationState.PENDING),
    /** "To". */
    TO(AuthorizationState.GRANTED, AuthorizationState.NONE),
    /** "To + Pending In". */
    TO_PENDING_IN(AuthorizationState.GRANTED, AuthorizationState.PENDING),
    /** "From". */
    FROM(AuthorizationState.NONE, AuthorizationState.GRANTED),
    /** "From + Pending Out". */
    FROM_PENDING_OUT(AuthorizationState.PENDING, AuthorizationState.GRANTED),
    /** "Both". */
    BOTH(AuthorizationState.GRANTED, AuthorizationState.GRANTED);

    private final AuthorizationState to;
    private final AuthorizationState from;

    RosterSubscription(AuthorizationState to, AuthorizationState from) {
        this.to = to;
        this.from = from;
    }

    /** The user's subscription to the contact. */
    public AuthorizationState to() {
        return to;
    }

    /** The contact's subscription to the user. */
    public AuthorizationState from() {
        return from;
    }

    /** The state with these two directions. */
    public static RosterSubscription of(AuthorizationState to, AuthorizationState from) {
        for (RosterSubscription r : values()) {
            if (r.to == to && r.from == from) {
                return r;
            }
        }
        throw new AssertionError("every pair of directions is a state");
    }
}
