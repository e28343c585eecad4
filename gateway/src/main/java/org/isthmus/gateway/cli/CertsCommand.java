package org.isthmus.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.isthmus.gateway.tls.CertificateNames;
import org.isthmus.gateway.tls.KeyAlgorithm;
import org.isthmus.gateway.tls.ServerCertificates;
import org.isthmus.gateway.tls.ServerNames;

/** {@code isthmus certs}: the gateway's own TLS credentials. */
@Command(name = "certs", mixinStandardHelpOptions = true,
        description = "Make TLS credentials for the XMPP s2s and SIP TLS listeners.",
        subcommands = {CertsCommand.Generate.class, CommandLine.HelpCommand.class})
final class CertsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: try 'isthmus certs generate --domain sip.example.com'");
    }

    /**
     * {@code isthmus certs generate}: a new key and a self-signed certificate, or a certificate request,
     * as PEM files the s2s TLS ({@code xmpp.s2s.tls}) and SIP TLS ({@code sip.listen.tls}) settings take.
     */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Write a new key and a self-signed certificate (or, with --csr, a certificate request for a "
                    + "CA) for the given domains, as PEM files for xmpp.s2s.tls and sip.listen.tls.",
                    "The key is unencrypted PKCS#8 (BEGIN PRIVATE KEY), readable by its owner only (mode 0600)."},
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:the files were written", "1:a file exists (use --force) or cannot be written",
                    "2:bad options, e.g. a domain that is no domain name"})
    static final class Generate implements Callable<Integer> {

        /** Exit status when a file exists (without --force) or cannot be written. */
        static final int EXIT_NOT_WRITTEN = 1;

        static final int DEFAULT_DAYS = 365;
        static final int MAX_DAYS = 3650;

        private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-d", "--domain"}, paramLabel = "DOMAIN", required = true,
                description = "A domain the certificate is for (repeat for more); the first names the files and the "
                        + "subject. For s2s: the domains in sip.federated-domains (or the gateway domain); for SIP "
                        + "TLS: the XMPP user domains (xmpp.domains).")
        List<String> domains;

        @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = ".",
                description = "The directory to write into, made if missing (default: the current one).")
        Path out;

        @Option(names = "--days", paramLabel = "N",
                description = "How many days the self-signed certificate is valid (default: " + DEFAULT_DAYS + ").")
        Integer days;

        @Option(names = "--csr", description = "Write a certificate request (DOMAIN.csr) for a CA instead of a "
                + "self-signed certificate.")
        boolean csr;

        @Option(names = "--xmpp", description = "Also name each domain as an XMPP server: SRVName _xmpp-server.DOMAIN "
                + "(RFC 4985) and XmppAddr (RFC 6120 §13.7.1.4). Use it for xmpp.s2s.tls.")
        boolean xmpp;

        @Option(names = "--rsa", description = "An RSA 3072 key instead of EC P-256.")
        boolean rsa;

        @Option(names = "--force", description = "Overwrite files that exist.")
        boolean force;

        @Override
        public Integer call() {
            CommandLine cmd = spec.commandLine();
            if (csr && days != null) {
                throw new CommandLine.ParameterException(cmd, "--days applies to a self-signed certificate; "
                        + "the CA sets a requested certificate's validity");
            }
            int validDays = days == null ? DEFAULT_DAYS : days;
            if (validDays < 1 || validDays > MAX_DAYS) {
                throw new CommandLine.ParameterException(cmd, "--days must be 1 to " + MAX_DAYS);
            }
            ServerNames names;
            try {
                names = new ServerNames(domains, xmpp);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--domain: " + e.getMessage());
            }
            KeyAlgorithm algorithm = rsa ? KeyAlgorithm.RSA_3072 : KeyAlgorithm.EC_P256;
            Path key = out.resolve(names.fileStem() + ".key");
            Path second = out.resolve(names.fileStem() + (csr ? ".csr" : ".pem"));
            PrintWriter err = cmd.getErr();
            List<Path> existing = Stream.of(key, second).filter(Files::exists).toList();
            if (!existing.isEmpty() && !force) {
                err.println("isthmus: " + existing.stream().map(Path::toString).collect(Collectors.joining(" and "))
                        + (existing.size() == 1 ? " exists" : " exist") + "; nothing was written (--force overwrites)");
                err.flush();
                return EXIT_NOT_WRITTEN;
            }
            Generated made = csr ? request(names, algorithm, key, second)
                    : selfSigned(names, algorithm, validDays, key, second);
            try {
                Files.createDirectories(out);
                write(key, made.keyPem(), true);
                write(second, made.otherPem(), false);
            } catch (FileAlreadyExistsException e) {
                err.println("isthmus: " + e.getFile() + " was made by someone else meanwhile; --force overwrites it");
                err.flush();
                return EXIT_NOT_WRITTEN;
            } catch (IOException e) {
                err.println("isthmus: cannot write in " + out + ": " + e);
                err.flush();
                return EXIT_NOT_WRITTEN;
            }
            PrintWriter stdout = cmd.getOut();
            stdout.println("Wrote a new " + algorithm + " key and " + made.what() + ":");
            stdout.println("  key          " + key + "  (PKCS#8, mode 0600)");
            made.report().forEach(stdout::println);
            stdout.flush();
            return 0;
        }

        /** The PEM texts to write, what they are, and the report lines after the key's. */
        private record Generated(String keyPem, String otherPem, String what, List<String> report) {
        }

        private static Generated request(ServerNames names, KeyAlgorithm algorithm, Path key, Path file) {
            ServerCertificates.Request request = ServerCertificates.request(names, algorithm);
            return new Generated(request.keyPem(), request.requestPem(), "a certificate request for a CA", List.of(
                    "  request      " + file,
                    "  names        " + String.join(", ", CertificateNames.describe(names.subjectAltNames())),
                    "Send " + file.getFileName() + " to your CA; put what it returns (your certificate first, then its "
                            + "issuers) in one PEM file and use it with " + key.getFileName() + "."));
        }

        private Generated selfSigned(ServerNames names, KeyAlgorithm algorithm, int validDays, Path key, Path file) {
            ServerCertificates.SelfSigned made = ServerCertificates.selfSigned(names, algorithm, Instant.now(),
                    Duration.ofDays(validDays));
            X509Certificate certificate = made.certificate();
            return new Generated(made.keyPem(), made.certificatePem(), "a self-signed certificate", List.of(
                    "  certificate  " + file,
                    "  names        " + String.join(", ", CertificateNames.of(certificate)),
                    "  valid        " + DAY.format(certificate.getNotBefore().toInstant()) + " to "
                            + DAY.format(certificate.getNotAfter().toInstant()),
                    "  SHA-256      " + fingerprint(certificate),
                    "Use them in gateway.yaml:",
                    "  " + (xmpp ? "xmpp.s2s.tls: {chain: " + file + ", key: " + key + "}"
                            : "sip.listen.tls: {key: " + key + ", chain: " + file + "}"),
                    "Peers accept a self-signed certificate only if they trust this very one; for SASL EXTERNAL and "
                            + "strict SIP peers, have a CA sign a request (--csr)."));
        }

        /**
         * Writes a new file, or with {@code --force} replaces one. A key file is made with mode 0600 from the
         * start, so the key is never readable by others, not even for a moment.
         */
        private void write(Path file, String text, boolean secret) throws IOException {
            if (force) {
                Files.deleteIfExists(file);
            }
            if (secret && Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            } else {
                Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            }
        }

        /** The SHA-256 fingerprint peers show and pin, colon-separated as OpenSSL prints it. */
        private static String fingerprint(X509Certificate certificate) {
            try {
                return HexFormat.ofDelimiter(":").withUpperCase()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
            } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
                throw new IllegalStateException("cannot fingerprint the certificate: " + e.getMessage(), e);
            }
        }
    }
}
