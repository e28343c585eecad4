package org.isthmus.sip.stack;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The SIP identities of a peer certificate (RFC 5922 §7.1): the hosts of subjectAltName URIs of scheme
 * sip or sips, the subjectAltName DNS names and IP addresses, and the subject's Common Name only when
 * there is no subjectAltName of those kinds. Lower case, IP addresses in their canonical text form.
 */
public final class CertificateIdentities {

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    private CertificateIdentities() {
    }

    /** The identities of the first (the peer's own) certificate of {@code chain}; empty without one. */
    public static List<String> of(Certificate[] chain) {
        if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate cert)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    String value = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                    if (type == SAN_DNS) {
                        out.add(value);
                    } else if (type == SAN_IP) {
                        out.add(canonicalIp(value));
                    } else if (type == SAN_URI && (value.startsWith("sip:") || value.startsWith("sips:"))) {
                        String host = value.substring(value.indexOf(':') + 1);
                        int at = host.lastIndexOf('@');
                        host = at >= 0 ? host.substring(at + 1) : host;
                        int end = host.length();
                        for (char c : new char[] {';', '?', '>'}) {
                            int i = host.indexOf(c);
                            if (i >= 0 && i < end) {
                                end = i;
                            }
                        }
                        out.add(host.substring(0, end));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (out.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        out.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                return List.of();
            }
        }
        return List.copyOf(out);
    }

    /** An IP literal in canonical form (so {@code ::1} and {@code 0:0:0:0:0:0:0:1} compare equal); else as is. */
    public static String canonicalIp(String text) {
        String s = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        boolean v6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        boolean v4 = s.chars().allMatch(c -> Character.isDigit(c) || c == '.') && s.chars().filter(c -> c == '.').count() == 3;
        // Only literals get to InetAddress, so nothing is ever looked up by name.
        if (!v4 && !v6) {
            return text.toLowerCase(Locale.ROOT);
        }
        try {
            return InetAddress.getByName(s).getHostAddress();
        } catch (UnknownHostException e) {
            return text.toLowerCase(Locale.ROOT);
        }
    }
}
