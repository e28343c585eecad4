package org.isthmus.gateway.config;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the gateway does with the signatures of end-to-end secured objects (RFC 3923) it relays. It
 * never changes an object (RFC 3923 §8) and always checks that the addresses inside a readable one
 * match the outer ones; checking signatures is optional.
 *
 * @param verify     whether and how signatures are checked
 * @param trustStore the PEM file of the certificates trusted as signers or their issuers, when checked
 * @param trusted    the certificates read from it
 */
public record E2eSettings(Verify verify, Optional<Path> trustStore, List<X509Certificate> trusted) {

    /** How signatures are checked, and what becomes of an object whose signature is not good. */
    public enum Verify {
        /** No check: objects pass as they come (the default). */
        OFF,
        /** Checked and counted in the metrics; every object passes. */
        PASS,
        /** Checked; every object passes with the result attached as an Authentication-Results header. */
        TAG,
        /** Checked; only objects with a good signature of a trusted signer that names the sender pass. */
        REJECT;

        /** The value as written in the configuration file. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public E2eSettings {
        Objects.requireNonNull(verify, "verify");
        Objects.requireNonNull(trustStore, "trustStore");
        trusted = List.copyOf(trusted);
        if (verify != Verify.OFF && trusted.isEmpty()) {
            throw new IllegalArgumentException("verification needs trusted certificates");
        }
    }

    /** No verification. */
    public static E2eSettings off() {
        return new E2eSettings(Verify.OFF, Optional.empty(), List.of());
    }
}
