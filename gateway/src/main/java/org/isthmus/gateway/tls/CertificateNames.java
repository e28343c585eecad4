package org.isthmus.gateway.tls;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1UTF8String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.Jid;

/**
 * The subjectAltNames of a certificate as a person reads them, {@code DNS:sip.example},
 * {@code IP:192.0.2.1}, {@code SRVName:_xmpp-server.sip.example}, {@code XmppAddr:sip.example}: what
 * {@code certs generate} reports and what {@code check-config} shows when a name is missing.
 */
public final class CertificateNames {

    private CertificateNames() {
    }

    /** The certificate's subjectAltNames; empty when it has none (or they cannot be read). */
    public static List<String> of(X509Certificate certificate) {
        try {
            GeneralNames names = GeneralNames.fromExtensions(new JcaX509CertificateHolder(certificate).getExtensions(),
                    Extension.subjectAlternativeName);
            return names == null ? List.of() : describe(names);
        } catch (CertificateEncodingException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** Each name in order. */
    public static List<String> describe(GeneralNames names) {
        List<String> out = new ArrayList<>();
        for (GeneralName name : names.getNames()) {
            out.add(describe(name));
        }
        return out;
    }

    private static String describe(GeneralName name) {
        try {
            return switch (name.getTagNo()) {
                case GeneralName.dNSName -> "DNS:" + ASN1IA5String.getInstance(name.getName()).getString();
                case GeneralName.uniformResourceIdentifier -> "URI:" + ASN1IA5String.getInstance(name.getName()).getString();
                case GeneralName.iPAddress -> "IP:" + ip(ASN1OctetString.getInstance(name.getName()).getOctets());
                case GeneralName.otherName -> otherName(OtherName.getInstance(name.getName()));
                default -> "name of type " + name.getTagNo();
            };
        } catch (IllegalArgumentException | UnknownHostException e) {
            return "unreadable name of type " + name.getTagNo();
        }
    }

    /** An address in the text of RFC 5952 §4 for IPv6 ({@code ::1}), as the configuration writes it. */
    private static String ip(byte[] octets) throws UnknownHostException {
        InetAddress address = InetAddress.getByAddress(octets);
        if (address instanceof Inet6Address) {
            Mapped<Jid> canonical = Jid.of(null, "[" + address.getHostAddress() + "]", null);
            if (canonical.isOk()) {
                String d = canonical.orThrow().domain();
                return d.substring(1, d.length() - 1);
            }
        }
        return address.getHostAddress();
    }

    private static String otherName(OtherName other) {
        if (other.getTypeID().equals(ServerNames.XMPP_ADDR)) {
            return "XmppAddr:" + ASN1UTF8String.getInstance(other.getValue()).getString();
        }
        if (other.getTypeID().equals(ServerNames.SRV_NAME)) {
            return "SRVName:" + ASN1IA5String.getInstance(other.getValue()).getString();
        }
        return "otherName:" + other.getTypeID().getId();
    }
}
