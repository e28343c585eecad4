package org.isthmus.gateway.config;

import java.util.Set;

/**
 * The built-in registrar (RFC 3261 §10.3): the SIP domains it accepts REGISTER for, and the
 * registration intervals it grants.
 *
 * @param domains        SIP domains whose users may register here (prepared, lower case)
 * @param minExpires     shorter requests get 423 Interval Too Brief with this Min-Expires
 * @param maxExpires     longer requests are granted this
 * @param defaultExpires granted when a request names no interval
 */
public record RegistrarSettings(Set<String> domains, int minExpires, int maxExpires, int defaultExpires) {
    public RegistrarSettings {
        domains = Set.copyOf(domains);
    }
}
