package org.isthmus.gateway.tls;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;

/**
 * The domains a server certificate is for, and the subjectAltName entries that name them: a DNS-ID
 * (dNSName, in A-labels) for each domain (RFC 6125 §6.4, RFC 5922 §7.1 for SIP); for an XMPP server
 * also an SRV-ID {@code _xmpp-server.domain} (RFC 4985, RFC 6120 §13.7.1.2.1) and an XmppAddr (RFC 6120
 * §13.7.1.4), which older peers still look for. A wildcard {@code *.example.com} is a DNS-ID only
 * (RFC 6125 §6.4.3; an SRV-ID or XmppAddr has no wildcard form); an IP address is an iPAddress entry.
 *
 * @param domains the names, prepared: domains in lower-case U-labels (RFC 7622 §3.2), IP addresses in
 *                canonical text (IPv6 in brackets), wildcards as {@code *.} and a prepared domain;
 *                not empty, no name twice
 * @param xmpp    whether the XMPP server names (SRV-ID, XmppAddr) are added
 */
public record ServerNames(List<String> domains, boolean xmpp) {

    /** id-on-xmppAddr, RFC 6120 §13.7.1.4. */
    public static final ASN1ObjectIdentifier XMPP_ADDR = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.5");
    /** id-on-dnsSRV, RFC 4985 §2. */
    public static final ASN1ObjectIdentifier SRV_NAME = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.7");

    private static final String WILDCARD = "*.";

    /** Prepares each name; throws {@link IllegalArgumentException} saying which one is not a name and why. */
    public ServerNames {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("give at least one domain");
        }
        Set<String> prepared = new LinkedHashSet<>();
        for (String d : domains) {
            String p = prepare(d);
            if (!prepared.add(p)) {
                throw new IllegalArgumentException("'" + d + "' is given twice");
            }
        }
        domains = List.copyOf(prepared);
    }

    /** The first domain, which also becomes the subject's CN and names the files. */
    public String primary() {
        return domains.get(0);
    }

    /** The subject: a CN with the first name in ASCII, as many clients still show it. */
    X500Name subject() {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, ascii(primary())).build();
    }

    /** A file name stem for the first name: its ASCII form, {@code wildcard} for {@code *}, no colons. */
    public String fileStem() {
        String a = ascii(primary());
        if (a.startsWith(WILDCARD)) {
            a = "wildcard" + a.substring(1);
        }
        return a.replace("[", "").replace("]", "").replace(':', '-');
    }

    /** The subjectAltName entries, in the order of the domains: DNS-ID or IP, then SRV-ID and XmppAddr. */
    public GeneralNames subjectAltNames() {
        List<GeneralName> names = new ArrayList<>();
        for (String d : domains) {
            if (isIp(d)) {
                names.add(new GeneralName(GeneralName.iPAddress, d.replace("[", "").replace("]", "")));
                continue;
            }
            String ascii = ascii(d);
            names.add(new GeneralName(GeneralName.dNSName, ascii));
            if (xmpp && !d.startsWith(WILDCARD)) {
                names.add(new GeneralName(GeneralName.otherName,
                        new OtherName(SRV_NAME, new DERIA5String("_xmpp-server." + ascii))));
                names.add(new GeneralName(GeneralName.otherName, new OtherName(XMPP_ADDR, new DERUTF8String(d))));
            }
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static String prepare(String given) {
        String s = given.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        boolean wildcard = s.startsWith(WILDCARD);
        String name = wildcard ? s.substring(WILDCARD.length()) : s;
        if (name.indexOf(':') >= 0 && !name.startsWith("[")) {
            name = "[" + name + "]";
        }
        Mapped<Jid> jid = Jid.of(null, name, null);
        if (jid instanceof Mapped.Failed<Jid> failed) {
            throw new IllegalArgumentException("'" + given + "' is not a domain name or IP address: "
                    + failed.rejected().text());
        }
        String prepared = jid.orThrow().domain();
        if (wildcard && (isIp(prepared) || prepared.indexOf('.') < 0)) {
            throw new IllegalArgumentException("'" + given + "': a wildcard stands for the left-most label of a "
                    + "domain with at least two more labels (RFC 6125 §6.4.3)");
        }
        return wildcard ? WILDCARD + prepared : prepared;
    }

    /** Whether a prepared name is an IP literal: IPv6 in brackets or IPv4 in dotted decimal. */
    public static boolean isIp(String prepared) {
        return prepared.startsWith("[") || prepared.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** The name as DNS and certificates write it: A-labels (RFC 5890); an IP literal unchanged. */
    public static String ascii(String prepared) {
        if (prepared.startsWith(WILDCARD)) {
            return WILDCARD + ascii(prepared.substring(WILDCARD.length()));
        }
        // ImUri.toSip is mapping's one conversion of a prepared host to the ASCII form SIP writes.
        return new ImUri("x", prepared, Optional.empty()).toSip().host();
    }
}
