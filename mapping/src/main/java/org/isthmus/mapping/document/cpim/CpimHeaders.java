package org.isthmus.mapping.document.cpim;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The message headers read in order, as RFC 3862 §3.4 requires: each NS header declares a prefix (or
 * the default namespace) for the headers after it, and each name resolves against the declarations
 * before it. The core headers of §4 are checked against their syntax here, so a document that
 * passes holds no header the accessors cannot read.
 */
record CpimHeaders(Optional<CpimAddress> from, List<CpimAddress> to, List<CpimAddress> cc,
                   Optional<OffsetDateTime> dateTime, List<CpimHeader> subjects, List<CpimDocument.Name> required,
                   List<CpimDocument.Extension> extensions, Optional<String> error) {

    /** The header names of RFC 3862 §4, in the CPIM namespace. */
    static final Set<String> CORE = Set.of("From", "To", "cc", "DateTime", "Subject", "NS", "Require");

    static CpimHeaders resolve(List<CpimHeader> headers) {
        String defaultNamespace = CpimDocument.HEADERS_NAMESPACE;
        Map<String, String> prefixes = new HashMap<>();
        Optional<CpimAddress> from = Optional.empty();
        List<CpimAddress> to = new ArrayList<>();
        List<CpimAddress> cc = new ArrayList<>();
        Optional<OffsetDateTime> dateTime = Optional.empty();
        List<CpimHeader> subjects = new ArrayList<>();
        List<CpimDocument.Name> required = new ArrayList<>();
        List<CpimDocument.Extension> extensions = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            CpimHeader h = headers.get(i);
            String where = "header " + (i + 1) + " (" + h.name() + "): ";
            Optional<String> namespace = h.prefix().isEmpty() ? Optional.of(defaultNamespace)
                    : Optional.ofNullable(prefixes.get(h.prefix().get()));
            if (namespace.isEmpty()) {
                return failed(where + "namespace prefix used before an NS header declares it (RFC 3862 §3.4)");
            }
            CpimDocument.Name name = new CpimDocument.Name(namespace.get(), h.localName());
            if (!name.isCore()) {
                extensions.add(new CpimDocument.Extension(name, h));
                continue;
            }
            switch (name.localName()) {
                case "From" -> {
                    if (from.isPresent()) {
                        return failed(where + "a message has one sender (RFC 3862 §4.1)");
                    }
                    CpimAddress.ParsedAddress a = CpimAddress.parse(h.value());
                    if (a.error().isPresent()) {
                        return failed(where + a.error().get());
                    }
                    from = a.address();
                }
                case "To", "cc" -> {
                    CpimAddress.ParsedAddress a = CpimAddress.parse(h.value());
                    if (a.error().isPresent()) {
                        return failed(where + a.error().get());
                    }
                    (name.localName().equals("To") ? to : cc).add(a.address().orElseThrow());
                }
                case "DateTime" -> {
                    if (dateTime.isPresent()) {
                        return failed(where + "more than one DateTime");
                    }
                    try {
                        // RFC 3339 §5.6 allows a lower-case "t" and "z".
                        dateTime = Optional.of(OffsetDateTime.parse(h.value().toUpperCase(Locale.ROOT),
                                DateTimeFormatter.ISO_OFFSET_DATE_TIME));
                    } catch (DateTimeParseException e) {
                        return failed(where + "not an RFC 3339 date-time");
                    }
                }
                case "Subject" -> subjects.add(h);
                case "NS" -> {
                    Optional<String> error = declare(h.value(), prefixes);
                    if (error.isPresent()) {
                        return failed(where + error.get());
                    }
                    if (h.value().startsWith("<")) {
                        defaultNamespace = h.value().substring(1, h.value().length() - 1);
                    }
                }
                case "Require" -> {
                    for (String n : h.value().split(",", -1)) {
                        String item = n.strip();
                        if (CpimSyntax.checkHeaderName(item).isPresent()) {
                            return failed(where + "malformed header name in Require");
                        }
                        int dot = item.indexOf('.');
                        String ns = dot < 0 ? defaultNamespace : prefixes.get(item.substring(0, dot));
                        if (ns == null) {
                            return failed(where + "Require names an undeclared namespace prefix");
                        }
                        required.add(new CpimDocument.Name(ns, item.substring(dot + 1)));
                    }
                }
                default -> throw new IllegalStateException(name.localName());
            }
        }
        return new CpimHeaders(from, List.copyOf(to), List.copyOf(cc), dateTime, List.copyOf(subjects),
                List.copyOf(required), List.copyOf(extensions), Optional.empty());
    }

    /** RFC 3862 §4.6 {@code NS-header = "NS" ": " [ Name-prefix ] "<" URI ">"}; §3.4 shows a space before "<". */
    private static Optional<String> declare(String value, Map<String, String> prefixes) {
        int lt = value.indexOf('<');
        if (lt < 0 || !value.endsWith(">")) {
            return Optional.of("NS value must be [prefix] <URI>");
        }
        String uri = value.substring(lt + 1, value.length() - 1);
        Optional<String> uriError = CpimAddress.checkUri(uri);
        if (uriError.isPresent()) {
            return Optional.of("NS: " + uriError.get());
        }
        if (uri.indexOf('#') >= 0) {
            return Optional.of("NS: a namespace URI has no fragment (RFC 3862 §3.4)");
        }
        if (lt == 0) {
            return Optional.empty();
        }
        String prefix = value.substring(0, value.charAt(lt - 1) == ' ' ? lt - 1 : lt);
        if (!CpimSyntax.isName(prefix)) {
            return Optional.of("NS: malformed prefix");
        }
        prefixes.put(prefix, uri);
        return Optional.empty();
    }

    private static CpimHeaders failed(String reason) {
        return new CpimHeaders(Optional.empty(), List.of(), List.of(), Optional.empty(), List.of(), List.of(),
                List.of(), Optional.of(reason));
    }
}
