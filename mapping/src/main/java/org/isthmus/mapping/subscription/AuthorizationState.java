package org.isthmus.mapping.subscription;

/**
 * One direction of an RFC 6121 subscription as the gateway knows it: no subscription, a request
 * awaiting the other side's answer ("Pending Out"/"Pending In", RFC 6121 Appendix A.1), or granted.
 */
public enum AuthorizationState {
    /** No subscription and no request. */
    NONE,
    /** Requested, not yet answered. */
    PENDING,
    /** Approved: presence flows in this direction. */
    GRANTED
}
