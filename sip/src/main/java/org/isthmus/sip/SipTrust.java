package org.isthmus.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whom the edge believes when a request claims to come from a domain Isthmus serves (RFC 3325 §2.3's
 * trust domain, applied to From): such a request is accepted only from a trusted peer, by its source
 * address or its TLS certificate identity (RFC 5922 §7.1), or after digest authentication of the From
 * user (RFC 3261 §22); any other gets 403. Requests from other domains are not checked.
 *
 * @param servedDomains    the domains Isthmus is authoritative for (the XMPP domains), lower case
 * @param trustedNetworks  IP addresses or CIDR blocks ({@code 192.0.2.0/24}, {@code ::1/128}) of trusted
 *                         peers, e.g. the SIP proxy in front of Isthmus
 * @param trustedTlsNames  identities (subjectAltName DNS or SIP URI host, RFC 5922 §7.1) of trusted peers
 *                         connecting over TLS
 */
public record SipTrust(Set<String> servedDomains, List<String> trustedNetworks, Set<String> trustedTlsNames) {

    /** No served domains: no request is checked. */
    public static final SipTrust NONE = new SipTrust(Set.of(), List.of(), Set.of());

    public SipTrust {
        servedDomains = lower(servedDomains);
        trustedNetworks = List.copyOf(trustedNetworks);
        trustedTlsNames = lower(trustedTlsNames);
        for (String network : trustedNetworks) {
            Cidr.parse(network);
        }
    }

    private static Set<String> lower(Set<String> names) {
        Set<String> out = new TreeSet<>();
        for (String n : names) {
            if (n.isBlank()) {
                throw new SipException("blank name in the trust settings");
            }
            out.add(n.strip().toLowerCase(Locale.ROOT));
        }
        return Set.copyOf(out);
    }

    /** True if {@code host} (lower case, as in a SIP URI) is a served domain. */
    public boolean serves(String host) {
        return servedDomains.contains(host.toLowerCase(Locale.ROOT));
    }

    /** True if {@code address} lies in one of the trusted networks. */
    public boolean trustsAddress(InetAddress address) {
        for (String network : trustedNetworks) {
            if (Cidr.parse(network).contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** True if one of a TLS peer's certificate identities is a trusted name. */
    public boolean trustsTlsIdentity(List<String> identities) {
        for (String identity : identities) {
            if (trustedTlsNames.contains(identity.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** An address block: an IP literal and a prefix length. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String address = slash < 0 ? s : s.substring(0, slash);
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            boolean v6 = address.indexOf(':') >= 0
                    && address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
            boolean v4 = address.chars().allMatch(c -> Character.isDigit(c) || c == '.')
                    && address.chars().filter(c -> c == '.').count() == 3;
            if (!v4 && !v6) {
                throw new SipException("trusted network is not an IP address or CIDR block: " + text);
            }
            byte[] bytes;
            try {
                // Only hex digits, dots and colons get here, so this parses a literal and looks nothing up.
                bytes = InetAddress.getByName(address).getAddress();
            } catch (UnknownHostException e) {
                throw new SipException("trusted network is not an IP address or CIDR block: " + text, e);
            }
            int prefix = bytes.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new SipException("bad prefix length in " + text, e);
                }
                if (prefix < 0 || prefix > bytes.length * 8) {
                    throw new SipException("prefix length out of range in " + text);
                }
            }
            return new Cidr(bytes, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
