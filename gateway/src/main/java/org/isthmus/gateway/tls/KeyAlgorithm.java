package org.isthmus.gateway.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** The key types {@code isthmus certs generate} makes, each with the signature algorithm it signs with. */
public enum KeyAlgorithm {

    /** ECDSA on P-256 (secp256r1): small, fast, accepted by every TLS 1.2 and 1.3 peer. */
    EC_P256("EC P-256", "EC", new ECGenParameterSpec("secp256r1"), "SHA256withECDSA"),

    /** RSA with a 3072-bit modulus (128-bit security), for peers that cannot use EC keys. */
    RSA_3072("RSA 3072", "RSA", new RSAKeyGenParameterSpec(3072, RSAKeyGenParameterSpec.F4), "SHA256withRSA");

    private final String label;
    private final String jcaName;
    private final AlgorithmParameterSpec parameters;
    private final String signatureAlgorithm;

    KeyAlgorithm(String label, String jcaName, AlgorithmParameterSpec parameters, String signatureAlgorithm) {
        this.label = label;
        this.jcaName = jcaName;
        this.parameters = parameters;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** A new key pair of this type. */
    public KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
            generator.initialize(parameters);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make " + label + " keys: " + e.getMessage(), e);
        }
    }

    /** The JCA name of the signature this key makes, e.g. {@code SHA256withECDSA}. */
    String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** How a person names the type, e.g. {@code EC P-256}. */
    @Override
    public String toString() {
        return label;
    }
}
