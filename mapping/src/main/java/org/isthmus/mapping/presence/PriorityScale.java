package org.isthmus.mapping.presence;

import java.util.Optional;

import org.isthmus.mapping.document.pidf.Qvalue;

/**
 * XMPP priority (-128..127, RFC 6121 §4.7.2.3) against PIDF contact priority (0..1 in thousandths,
 * RFC 3863 §4.1.5), as RFC 8048 §6.2 note 6 and §6.3 note 2 (after RFC 3922 §5.1.7 and §5.2.13) ask:
 * negative XMPP priorities are not mapped; 0 ⇄ 0 and 127 ⇄ 1; the values between are spread so that
 * each maps to a distinct qvalue. Forward, p ↦ ⌊1000·p/127⌋/1000, which reproduces the RFC's own
 * examples (1 → 0.007, 2 → 0.015, 13 → 0.102, 126 → 0.992). Back, q ↦ the smallest p whose image is at
 * least q, capped at 126 below 1, which reproduces the RFC 3922 §5.2.13 ranges (0.001–0.007 → 1,
 * 0.008–0.015 → 2, 0.992–0.999 → 126) and makes the round trip p → q → p exact for 0..127.
 */
final class PriorityScale {

    private PriorityScale() {
    }

    /** The PIDF priority of an XMPP priority; empty for a negative one, which MUST NOT be mapped. */
    static Optional<Qvalue> toPidf(int xmppPriority) {
        if (xmppPriority < 0) {
            return Optional.empty();
        }
        return Optional.of(new Qvalue(Math.min(xmppPriority, 127) * 1000 / 127));
    }

    /** The XMPP priority of a PIDF priority, never negative (RFC 3922 §5.2.13). */
    static int toXmpp(Qvalue qvalue) {
        int q = qvalue.thousandths();
        if (q >= 1000) {
            return 127;
        }
        int p = (q * 127 + 999) / 1000;
        return Math.min(p, 126);
    }
}
