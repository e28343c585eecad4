package org.isthmus.sip;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A digest credential (RFC 3261 §22, RFC 2617 §3.2.2.2, RFC 8760 §2): a user in a realm with either the
 * password or the precomputed HA1 = H(user:realm:password) for MD5 and/or SHA-256, so a credentials file
 * need not hold passwords. With only one HA1, only challenges of that algorithm can be answered.
 *
 * @param user      the username, as in the Authorization header
 * @param realm     the realm (for the registrar and the trust check: the SIP domain)
 * @param password  the password, if known
 * @param ha1Md5    lower-case hex MD5 HA1, if given instead of the password
 * @param ha1Sha256 lower-case hex SHA-256 HA1, if given instead of the password
 */
public record DigestCredential(String user, String realm, Optional<String> password, Optional<String> ha1Md5,
                               Optional<String> ha1Sha256) {

    public DigestCredential {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(ha1Md5, "ha1Md5");
        Objects.requireNonNull(ha1Sha256, "ha1Sha256");
        if (user.isEmpty() || realm.isEmpty()) {
            throw new SipException("digest credential needs a user and a realm");
        }
        if (password.isEmpty() && ha1Md5.isEmpty() && ha1Sha256.isEmpty()) {
            throw new SipException("digest credential for " + user + " has neither password nor HA1");
        }
        ha1Md5 = ha1Md5.map(h -> hex(h, 32));
        ha1Sha256 = ha1Sha256.map(h -> hex(h, 64));
    }

    private static String hex(String h, int length) {
        String lower = h.strip().toLowerCase(Locale.ROOT);
        if (lower.length() != length || !lower.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new SipException("HA1 must be " + length + " hex digits");
        }
        return lower;
    }

    /** A credential with a password. */
    public static DigestCredential ofPassword(String user, String realm, String password) {
        return new DigestCredential(user, realm, Optional.of(password), Optional.empty(), Optional.empty());
    }

    /**
     * HA1 for {@code algorithm} ({@code MD5} or {@code SHA-256}, session variants excluded), from the stored
     * HA1 or computed from the password; empty if neither is known.
     */
    public Optional<String> ha1(String algorithm) {
        Digest.Algorithm a = Digest.Algorithm.of(algorithm).orElse(null);
        if (a == null) {
            return Optional.empty();
        }
        Optional<String> stored = a == Digest.Algorithm.MD5 ? ha1Md5 : ha1Sha256;
        if (stored.isPresent()) {
            return stored;
        }
        return password.map(p -> a.hash(user + ":" + realm + ":" + p));
    }

    /**
     * Reads a credentials file in htdigest's format, one {@code user:realm:HA1-MD5} per line, with an
     * optional fourth field {@code :HA1-SHA-256}; blank lines and lines starting with {@code #} are skipped.
     *
     * @throws SipException naming the line that is malformed, or if the file cannot be read
     */
    public static List<DigestCredential> readFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SipException("cannot read credentials file " + file + ": " + e.getMessage(), e);
        }
        List<DigestCredential> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length < 3 || f.length > 4) {
                throw new SipException(file + " line " + (i + 1) + ": expected user:realm:ha1md5[:ha1sha256]");
            }
            try {
                out.add(new DigestCredential(f[0], f[1], Optional.empty(),
                        f[2].isEmpty() ? Optional.empty() : Optional.of(f[2]),
                        f.length == 4 && !f[3].isEmpty() ? Optional.of(f[3]) : Optional.empty()));
            } catch (SipException e) {
                throw new SipException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(out);
    }
}
