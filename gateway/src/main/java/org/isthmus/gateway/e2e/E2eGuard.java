package org.isthmus.gateway.e2e;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.util.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.gateway.config.E2eSettings;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.GatewayMeters.Direction;
import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaErrorCondition;
import org.isthmus.mapping.message.E2eAddresses;
import org.isthmus.mapping.message.SecuredMessage;
import org.isthmus.mapping.message.SecuredObject;

/**
 * Looks at an end-to-end secured message or presence before it crosses, without changing it (RFC 3923
 * §8).
 *
 * <p>Always: the addresses inside a readable object must be the outer ones ({@link E2eAddresses}): a
 * Message/CPIM's From and To, a PIDF's entity.
 * The content of a {@code multipart/signed} object is its first part; of an opaque
 * {@code signed-data} object, the content inside the CMS SignedData. An enveloped (encrypted) object
 * cannot be read by the gateway, which has no key for it and must not have one: it passes unchecked,
 * and its recipient checks the sender against the signer's certificate after decrypting (RFC 3923
 * §6.3, §6.5: signed first, then encrypted).
 *
 * <p>When configured, also the signature (RFC 5751 §3.5, RFC 5652 §5.6), with an RFC 8601 result:
 * <ul>
 *   <li>{@code pass}: a signature verifies over the content, its signer's certificate leads to one in
 *       the trust store (PKIX, RFC 5280 §6, at the current time, without revocation checks) and names
 *       the sender in its subjectAltName, as an {@code im:}/{@code pres:}/{@code xmpp:}/{@code sip:}
 *       URI or an {@code id-on-xmppAddr} (RFC 3923 §6.3, RFC 6120 §13.7.1.4).</li>
 *   <li>{@code fail}: a signature does not verify over the content: the object was altered.</li>
 *   <li>{@code policy}: the signature verifies and the signer is trusted, but the certificate does not
 *       name the sender.</li>
 *   <li>{@code neutral}: the signature cannot be checked: no certificate for the signer in the object,
 *       a signer the trust store does not lead to, or an algorithm not supported.</li>
 *   <li>{@code none}: no signature the gateway can see (an enveloped object).</li>
 * </ul>
 * With {@code verify: reject} anything but {@code pass} is refused: {@code not-acceptable} (RFC 3923
 * §7, case #4) and 403 on the SIP side. With {@code tag} the result travels with the object as
 * {@code Authentication-Results: <gateway domain>; smime=<result>} (RFC 8601 §2.2 with the
 * {@code smime} method of RFC 7281): a SIP header, or a XEP-0131 header in XMPP.
 */
public final class E2eGuard {

    private static final Logger LOG = LoggerFactory.getLogger(E2eGuard.class);

    /** Bouncy Castle's provider, for every signature algorithm CMS allows, not only the JDK's. */
    private static final Provider BC = new BouncyCastleProvider();

    /** RFC 6120 §13.7.1.4: {@code id-on-xmppAddr}. */
    private static final ASN1ObjectIdentifier XMPP_ADDR = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.8.5");

    private final AddressMapper addresses;
    private final String authservId;
    private final GatewayMeters meters;
    /** Replaced as a whole by {@link #update}; each check reads it once. */
    private volatile Checks checks;

    /** The settings in force and the trust anchors made of their certificates. */
    private record Checks(E2eSettings settings, Set<TrustAnchor> anchors) {
        static Checks of(E2eSettings settings) {
            Set<TrustAnchor> anchors = new HashSet<>();
            settings.trusted().forEach(c -> anchors.add(new TrustAnchor(c, null)));
            return new Checks(settings, Set.copyOf(anchors));
        }
    }

    /**
     * @param settings   what to check
     * @param addresses  the address rules, to read inner and certificate addresses as the gateway does
     * @param authservId the name the gateway signs its Authentication-Results with: its XMPP domain
     * @param meters     where the outcomes are counted
     */
    public E2eGuard(E2eSettings settings, AddressMapper addresses, String authservId, GatewayMeters meters) {
        this.addresses = addresses;
        this.authservId = authservId;
        this.meters = meters;
        this.checks = Checks.of(settings);
    }

    /**
     * Checks objects with {@code next} from now on: its mode and trust store (a configuration reload;
     * the certificates were read and checked when the file was). A check under way finishes with the
     * settings it started with.
     */
    public void update(E2eSettings next) {
        checks = Checks.of(next);
        LOG.info("e2e: verify {}, {} trusted certificate(s)", next.verify().configName(), next.trusted().size());
    }

    /** The RFC 8601 result of a signature check; of several signers' results, the later one here counts. */
    enum Result {
        PASS, POLICY, NEUTRAL, FAIL, NONE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Checks a message that is about to cross.
     *
     * @return the Authentication-Results value to send along (only when tagging), or the refusal
     */
    public Mapped<Optional<String>> inspect(SecuredMessage message, Direction direction) {
        return inspect("message", message.object(), message.from(), message.to(), direction,
                entity -> E2eAddresses.check(entity, message.from().bare(), message.to().bare(), addresses));
    }

    /**
     * Checks a secured presence that is about to cross (RFC 3923 §4.1, §8): a signed PIDF's
     * {@code entity} must name the outer sender (RFC 3863 §4.1.1), and the signature is checked as
     * for a message.
     *
     * @param from      the outer sender, the presentity
     * @param to        the outer recipient, the watcher
     * @param object    the S/MIME object
     * @param direction which way it crosses
     * @return the Authentication-Results value to send along (only when tagging), or the refusal
     */
    public Mapped<Optional<String>> inspectPresence(ImUri from, ImUri to, SecuredObject object, Direction direction) {
        return inspect("presence", object, from, to, direction,
                entity -> E2eAddresses.checkPresence(entity, from.bare(), addresses));
    }

    private Mapped<Optional<String>> inspect(String stanza, SecuredObject object, ImUri from, ImUri to,
                                             Direction direction, Function<byte[], Optional<Rejected>> addressCheck) {
        Checks now = checks;
        E2eSettings settings = now.settings();
        String kind = object.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
        Mapped<Content> content = content(object);
        if (content instanceof Mapped.Failed<Content> failed) {
            meters.e2e(direction, stanza, kind, "unchecked", "refused");
            return Mapped.rejected(failed.rejected());
        }
        Content c = content.orThrow();
        if (c.entity().isPresent()) {
            Optional<Rejected> mismatch = addressCheck.apply(c.entity().get());
            if (mismatch.isPresent()) {
                meters.e2e(direction, stanza, kind, "unchecked", "refused");
                return Mapped.rejected(mismatch.get());
            }
        }
        if (settings.verify() == E2eSettings.Verify.OFF) {
            meters.e2e(direction, stanza, kind, "unchecked", "relayed");
            return Mapped.ok(Optional.empty());
        }
        Result result = c.signed().map(s -> verify(s, from, now.anchors())).orElse(Result.NONE);
        LOG.debug("e2e {} {} from={} to={} kind={} smime={}", stanza, direction, from.bare(), to.bare(), kind,
                result.tag());
        return switch (settings.verify()) {
            case REJECT -> {
                if (result != Result.PASS) {
                    meters.e2e(direction, stanza, kind, result.tag(), "refused");
                    yield Mapped.rejected(new Rejected(StanzaErrorCondition.NOT_ACCEPTABLE,
                            "the gateway accepts only objects signed by a trusted signer that names the sender; "
                                    + "signature check: smime=" + result.tag() + " (RFC 3923 §7, RFC 8601)",
                            Optional.of(new SipStatus(403, "Unverified S/MIME Signature"))));
                }
                meters.e2e(direction, stanza, kind, result.tag(), "relayed");
                yield Mapped.ok(Optional.empty());
            }
            case TAG -> {
                meters.e2e(direction, stanza, kind, result.tag(), "tagged");
                yield Mapped.ok(Optional.of(authservId + "; smime=" + result.tag()));
            }
            default -> {
                meters.e2e(direction, stanza, kind, result.tag(), "relayed");
                yield Mapped.ok(Optional.empty());
            }
        };
    }

    /**
     * What the gateway can read of an object: the MIME entity whose addresses it checks, and the
     * signature with the octets it covers.
     */
    private record Content(Optional<byte[]> entity, Optional<CMSSignedData> signed) {
    }

    private static Mapped<Content> content(SecuredObject object) {
        switch (object.kind()) {
            case SIGNED -> {
                Mapped<SecuredObject.SignedParts> parts = object.signedParts();
                if (parts instanceof Mapped.Failed<SecuredObject.SignedParts> failed) {
                    return Mapped.rejected(failed.rejected());
                }
                byte[] content = parts.orThrow().content();
                Mapped<byte[]> der = parts.orThrow().signatureDer();
                if (!der.isOk()) {
                    return der.map(d -> null);
                }
                try {
                    return Mapped.ok(new Content(Optional.of(content),
                            Optional.of(new CMSSignedData(new CMSProcessableByteArray(content), der.orThrow()))));
                } catch (CMSException | RuntimeException e) {
                    return malformed("the multipart/signed signature part is not a CMS SignedData (RFC 5751 §3.5.3)");
                }
            }
            case OPAQUE_SIGNED -> {
                try {
                    CMSSignedData signed = new CMSSignedData(object.body());
                    Object inner = signed.getSignedContent() == null ? null : signed.getSignedContent().getContent();
                    if (!(inner instanceof byte[] bytes)) {
                        return malformed("the signed-data object holds no content (RFC 5751 §3.5.2)");
                    }
                    return Mapped.ok(new Content(Optional.of(bytes), Optional.of(signed)));
                } catch (CMSException | RuntimeException e) {
                    return malformed("the application/pkcs7-mime signed-data object is not a CMS SignedData");
                }
            }
            default -> {
                return Mapped.ok(new Content(Optional.empty(), Optional.empty()));
            }
        }
    }

    /** The result of checking every signer of a SignedData; the worst one counts. */
    private Result verify(CMSSignedData signed, ImUri sender, Set<TrustAnchor> anchors) {
        Collection<SignerInformation> signers = signed.getSignerInfos().getSigners();
        if (signers.isEmpty()) {
            return Result.NONE;
        }
        Store<X509CertificateHolder> certificates = signed.getCertificates();
        Result worst = Result.PASS;
        for (SignerInformation signer : signers) {
            Result r = verifySigner(signer, certificates, sender, anchors);
            if (r.ordinal() > worst.ordinal()) {
                worst = r;
            }
        }
        return worst;
    }

    @SuppressWarnings("unchecked")
    private Result verifySigner(SignerInformation signer, Store<X509CertificateHolder> certificates, ImUri sender,
                                Set<TrustAnchor> anchors) {
        Collection<X509CertificateHolder> matches = certificates.getMatches(signer.getSID());
        if (matches.isEmpty()) {
            return Result.NEUTRAL;
        }
        X509CertificateHolder holder = matches.iterator().next();
        try {
            if (!signer.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(holder))) {
                return Result.FAIL;
            }
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            return Result.NEUTRAL;
        } catch (CMSException e) {
            // A digest that does not match the content, or a signature value that does not verify.
            return Result.FAIL;
        }
        try {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            X509Certificate certificate = converter.getCertificate(holder);
            List<X509Certificate> all = new ArrayList<>();
            for (X509CertificateHolder h : (Collection<X509CertificateHolder>) certificates.getMatches(null)) {
                all.add(converter.getCertificate(h));
            }
            if (!trusted(certificate, all, anchors)) {
                return Result.NEUTRAL;
            }
        } catch (GeneralSecurityException e) {
            return Result.NEUTRAL;
        }
        return namesSender(holder, sender) ? Result.PASS : Result.POLICY;
    }

    /** Whether the certificate is in the trust store, or PKIX builds a path from it to one there. */
    private static boolean trusted(X509Certificate certificate, List<X509Certificate> intermediates,
                                   Set<TrustAnchor> anchors) throws GeneralSecurityException {
        for (TrustAnchor a : anchors) {
            if (a.getTrustedCert().equals(certificate)) {
                certificate.checkValidity();
                return true;
            }
        }
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(certificate);
        PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
        // No CRL or OCSP source is configured, and fetching one would leave loopback (RFC 5280 §6.3).
        parameters.setRevocationEnabled(false);
        parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(intermediates)));
        try {
            CertPathBuilder.getInstance("PKIX").build(parameters);
            return true;
        } catch (java.security.cert.CertPathBuilderException e) {
            return false;
        }
    }

    /** RFC 3923 §6.3: the sender's address, resource ignored, in the certificate's subjectAltName. */
    private boolean namesSender(X509CertificateHolder certificate, ImUri sender) {
        GeneralNames names = GeneralNames.fromExtensions(certificate.getExtensions(), Extension.subjectAlternativeName);
        if (names == null) {
            return false;
        }
        for (GeneralName name : names.getNames()) {
            Optional<String> uri = switch (name.getTagNo()) {
                case GeneralName.uniformResourceIdentifier -> Optional.of(((ASN1String) name.getName()).getString());
                case GeneralName.otherName -> xmppAddr(name.getName());
                default -> Optional.empty();
            };
            if (uri.isPresent() && E2eAddresses.names(uri.get(), sender, addresses)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> xmppAddr(ASN1Encodable otherName) {
        try {
            OtherName other = OtherName.getInstance(otherName);
            if (!other.getTypeID().equals(XMPP_ADDR)) {
                return Optional.empty();
            }
            ASN1Encodable value = other.getValue();
            if (value instanceof ASN1TaggedObject tagged) {
                value = tagged.getBaseObject();
            }
            return value instanceof ASN1String s ? Optional.of("xmpp:" + s.getString()) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static <T> Mapped<T> malformed(String text) {
        return Mapped.rejected(new Rejected(StanzaErrorCondition.BAD_REQUEST, text, Optional.of(SipStatus.of(400))));
    }
}
