package org.isthmus.gateway.cli;

import java.util.Objects;

/**
 * One line of {@code isthmus check-config}: how a thing the configuration depends on fared, why, and
 * what to do about it.
 *
 * @param status  the verdict
 * @param subject what was checked, e.g. {@code xmpp.s2s.tls} or {@code component sip.xmpp.test}
 * @param message what was found
 * @param fix     what to change, or empty when there is nothing to do
 */
record Check(Status status, String subject, String message, String fix) {

    /** The verdicts, mildest first. */
    enum Status {
        /** Checked and fine. */
        OK,
        /** Not checked, and why (UDP, DNS turned off); counts as fine. */
        SKIP,
        /** Works, but not as it should (a self-signed certificate, no SRV record). */
        WARN,
        /** Will not work as configured. */
        FAIL
    }

    Check {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    static Check ok(String subject, String message) {
        return new Check(Status.OK, subject, message, "");
    }

    static Check skip(String subject, String message) {
        return new Check(Status.SKIP, subject, message, "");
    }

    static Check warn(String subject, String message, String fix) {
        return new Check(Status.WARN, subject, message, fix);
    }

    static Check fail(String subject, String message, String fix) {
        return new Check(Status.FAIL, subject, message, fix);
    }

    /** The line printed: {@code FAIL subject: message; fix: ...}. */
    String line() {
        return String.format("%-4s %s: %s%s", status, subject, message, fix.isEmpty() ? "" : "; fix: " + fix);
    }
}
