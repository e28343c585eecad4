package org.isthmus.gateway.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.AddressRules;
import org.isthmus.mapping.address.AddressUri;
import org.isthmus.mapping.address.ImUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.JidEscaping;
import org.isthmus.mapping.address.PresUri;
import org.isthmus.mapping.address.SipDomainMode;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.address.TelUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.error.XmppErrorToSip;

/**
 * What a SIP-side address or a JID becomes under the address rules (mapping's {@link AddressMapper},
 * RFC 7247 §6), the way back, and the rule that applied: the answer of {@code isthmus translate} and
 * of the admin API's {@code /api/translate}.
 *
 * @param address    the address as given
 * @param verdict    whether it maps, is refused by the rules, or is no address at all
 * @param normalized the address as parsed (empty when {@link Verdict#INVALID})
 * @param problem    why the address is not valid, e.g. {@code is not a valid JID: …} (empty unless
 *                   {@link Verdict#INVALID})
 * @param rows       the report, one labelled line each; a row with an empty label continues the one above
 */
public record AddressReport(String address, Verdict verdict, Optional<String> normalized, Optional<String> problem,
                            List<Row> rows) {

    /** What became of the address. */
    public enum Verdict {
        /** It maps, both ways. */
        MAPS,
        /** The rules refuse it; the rows say with which XMPP error and SIP status. */
        REFUSED,
        /** It is neither a JID nor a URI of the SIP side. */
        INVALID
    }

    /**
     * One line of the report.
     *
     * @param label e.g. {@code rule}, {@code SIP -> XMPP}; empty for a continuation
     * @param value what it says
     */
    public record Row(String label, String value) {
        public Row {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(value, "value");
        }
    }

    public AddressReport {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(normalized, "normalized");
        Objects.requireNonNull(problem, "problem");
        rows = List.copyOf(rows);
    }

    private static final Set<String> SIP_SIDE_SCHEMES = Set.of("sip", "sips", "tel", "im", "pres");

    /** The report on {@code address} under {@code rules}. */
    public static AddressReport of(AddressRules rules, String address) {
        return new Builder(rules).report(address);
    }

    /**
     * The scheme of URI text: letters, digits, {@code + - .} before a colon that comes before any
     * {@code @} or {@code /}, so a JID whose resource holds a colon is not taken for a URI.
     */
    public static Optional<String> scheme(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        int at = text.indexOf('@');
        int slash = text.indexOf('/');
        if ((at >= 0 && at < colon) || (slash >= 0 && slash < colon)) {
            return Optional.empty();
        }
        String s = text.startsWith("<") ? text.substring(1, colon) : text.substring(0, colon);
        if (s.isEmpty() || !Character.isLetter(s.charAt(0))
                || !s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) {
            return Optional.empty();
        }
        return Optional.of(s.toLowerCase(Locale.ROOT));
    }

    /** Builds one report; not shared between threads. */
    private static final class Builder {
        private final AddressRules rules;
        private final AddressMapper mapper;
        private final List<Row> rows = new ArrayList<>();
        private String normalized;

        Builder(AddressRules rules) {
            this.rules = rules;
            this.mapper = new AddressMapper(rules);
        }

        AddressReport report(String address) {
            String text = address.strip();
            Optional<String> scheme = scheme(text);
            Verdict verdict;
            if (scheme.isPresent() && SIP_SIDE_SCHEMES.contains(scheme.get())) {
                Mapped<AddressUri> uri = AddressUri.parse(text);
                if (uri instanceof Mapped.Failed<AddressUri> f) {
                    return invalid(address, "is not a valid " + scheme.get() + ": URI: " + f.rejected().text());
                }
                verdict = fromSipSide(uri.orThrow());
            } else if (scheme.isEmpty() || scheme.get().equals("xmpp")) {
                Mapped<Jid> jid = Jid.parse(scheme.isPresent() ? text.substring(text.indexOf(':') + 1) : text);
                if (jid instanceof Mapped.Failed<Jid> f) {
                    return invalid(address, "is not a valid JID: " + f.rejected().text());
                }
                verdict = fromXmpp(jid.orThrow());
            } else {
                return invalid(address, "has the scheme " + scheme.get() + ":, which Isthmus does not translate; "
                        + "give a JID or a sip:, sips:, tel:, im: or pres: URI");
            }
            return new AddressReport(address, verdict, Optional.of(normalized), Optional.empty(), rows);
        }

        private static AddressReport invalid(String address, String why) {
            return new AddressReport(address, Verdict.INVALID, Optional.empty(), Optional.of(why), List.of());
        }

        // From the SIP side to XMPP, and back

        private Verdict fromSipSide(AddressUri uri) {
            normalized = uri.toString();
            Optional<TelUri> number = telephoneNumber(uri);
            String host = number.isPresent() ? "" : neutral(uri).map(ImUri::host).orElse("");
            Kind kind = number.isPresent() ? Kind.TELEPHONE : kindOfSipDomain(host);
            List<Counterpart> views = kind.underComponent() ? componentViews() : List.of(Counterpart.DEFAULT);
            List<Mapped<Jid>> results = new ArrayList<>();
            for (Counterpart view : views) {
                results.add(view.domain().isEmpty() ? mapper.toJid(uri) : mapper.toJid(uri, view.domain().get()));
            }
            Optional<Rejected> refused = results.stream().filter(r -> !r.isOk()).findFirst().map(Builder::rejection);
            row("rule", describe(kind, host, number));
            if (refused.isPresent()) {
                row("SIP -> XMPP", refusal(refused.get()));
                return Verdict.REFUSED;
            }
            for (int i = 0; i < views.size(); i++) {
                Jid jid = results.get(i).orThrow();
                row(i == 0 ? "SIP -> XMPP" : "", jid + views.get(i).note());
            }
            escaping(results.get(0).orThrow());
            for (int i = 0; i < results.size(); i++) {
                Jid jid = results.get(i).orThrow();
                Mapped<AddressUri> back = mapper.toSipAddress(jid);
                row(i == 0 ? "XMPP -> SIP" : "", jid + " -> "
                        + (back.isOk() ? back.orThrow().toString() : refusal(rejection(back))));
            }
            return Verdict.MAPS;
        }

        /** A global or local number: a tel: URI, a user=phone SIP URI, or a number at the telephone domain. */
        private Optional<TelUri> telephoneNumber(AddressUri uri) {
            if (uri instanceof TelUri tel) {
                return Optional.of(tel);
            }
            if (uri instanceof SipUri sip && sip.isTelephoneNumber() && sip.telephoneNumber().isOk()) {
                return Optional.of(sip.telephoneNumber().orThrow());
            }
            return neutral(uri).flatMap(this::numberAtTelephoneDomain);
        }

        private Optional<TelUri> numberAtTelephoneDomain(ImUri im) {
            if (rules.telephoneDomain().filter(im.host()::equals).isEmpty() || !im.user().startsWith("+")) {
                return Optional.empty();
            }
            Mapped<TelUri> tel = TelUri.parseSubscriber(im.user());
            return tel.isOk() && tel.orThrow().isGlobal() ? Optional.of(tel.orThrow()) : Optional.empty();
        }

        private Optional<ImUri> neutral(AddressUri uri) {
            if (uri instanceof ImUri im) {
                return Optional.of(im);
            }
            if (uri instanceof PresUri pres) {
                return Optional.of(pres.toIm());
            }
            if (uri instanceof SipUri sip) {
                Mapped<ImUri> im = mapper.fromSip(sip);
                return im.isOk() ? Optional.of(im.orThrow()) : Optional.empty();
            }
            return Optional.empty();
        }

        private Kind kindOfSipDomain(String host) {
            if (host.isEmpty()) {
                return Kind.REFUSED;
            }
            if (rules.isXmppDomain(host)) {
                return Kind.XMPP_USER;
            }
            if (rules.isComponentDomain(host)) {
                return Kind.GATEWAY;
            }
            return switch (rules.modeOf(host)) {
                case FEDERATION -> Kind.FEDERATION;
                case COMPONENT -> Kind.COMPONENT;
                case REFUSED -> Kind.REFUSED;
            };
        }

        /**
         * The component domains under which a SIP user appears, each to the XMPP users of the domains it
         * serves; one view (the default component's) when there is only one component.
         */
        private List<Counterpart> componentViews() {
            if (rules.componentDomains().size() < 2) {
                return List.of(Counterpart.DEFAULT);
            }
            List<Counterpart> views = new ArrayList<>();
            for (String component : rules.componentDomains()) {
                Set<String> served = rules.domainsServedBy(component);
                if (!served.isEmpty()) {
                    views.add(new Counterpart(Optional.of(served.iterator().next()),
                            "   (component " + component + ", to users of " + String.join(", ", served) + ")"));
                }
            }
            return views;
        }

        // From XMPP to the SIP side, and back

        private Verdict fromXmpp(Jid jid) {
            normalized = jid.toString();
            String domain = jid.domain();
            Kind kind;
            String host = domain;
            Optional<TelUri> number = Optional.empty();
            if (rules.isComponentDomain(domain)) {
                String local = jid.local().map(JidEscaping::unescape).orElse("");
                int at = local.lastIndexOf('@');
                Mapped<TelUri> tel = local.startsWith("+") ? TelUri.parseSubscriber(local) : null;
                if (at < 0 && tel != null && tel.isOk()) {
                    number = Optional.of(tel.orThrow());
                    kind = Kind.TELEPHONE;
                } else {
                    Mapped<Jid> sipDomain = at < 0 ? null : Jid.of(null, local.substring(at + 1), null);
                    host = sipDomain != null && sipDomain.isOk() ? sipDomain.orThrow().domain() : "";
                    kind = host.isEmpty() ? Kind.REFUSED : kindOfSipDomain(host);
                }
            } else if (rules.isXmppDomain(domain)) {
                kind = Kind.XMPP_USER;
            } else if (rules.modeOf(domain) == SipDomainMode.FEDERATION) {
                kind = Kind.FEDERATION;
            } else {
                kind = Kind.UNKNOWN_XMPP;
            }
            Mapped<AddressUri> sip = mapper.toSipAddress(jid);
            row("rule", describe(kind, host, number));
            if (sip instanceof Mapped.Failed<AddressUri> failed) {
                row("XMPP -> SIP", refusal(failed.rejected()));
                return Verdict.REFUSED;
            }
            row("XMPP -> SIP", sip.orThrow().toString());
            escaping(jid);
            Mapped<Jid> back = rules.isComponentDomain(domain)
                    ? backUnder(sip.orThrow(), domain) : mapper.toJid(sip.orThrow());
            row("SIP -> XMPP", sip.orThrow() + " -> " + (back.isOk() ? back.orThrow().toString() : refusal(rejection(back))));
            return Verdict.MAPS;
        }

        /** The way back to XMPP as seen by the users of a domain the component serves (or the default's). */
        private Mapped<Jid> backUnder(AddressUri uri, String component) {
            Set<String> served = rules.domainsServedBy(component);
            return served.isEmpty() ? mapper.toJid(uri) : mapper.toJid(uri, served.iterator().next());
        }

        // Output

        private void escaping(Jid jid) {
            if (jid.local().isEmpty()) {
                return;
            }
            String local = jid.local().get();
            String unescaped = JidEscaping.unescape(local);
            if (!unescaped.equals(local)) {
                row("escaping", "'" + unescaped + "' <-> '" + local + "' (XEP-0106)");
            }
        }

        private String describe(Kind kind, String host, Optional<TelUri> number) {
            return switch (kind) {
                case XMPP_USER -> "XMPP user: " + host + " is an XMPP user domain (xmpp.domains), its users keep their "
                        + "address on the SIP side (RFC 7247 §6)" + (rules.componentDomains().size() > 1
                        ? "; SIP users appear to them under component " + rules.componentDomainFor(host) : "");
                case FEDERATION -> "federation: " + host + " is in sip.federated-domains, its users keep their address "
                        + "in XMPP, reached over s2s (RFC 7247 §6)";
                case COMPONENT -> "component: " + host + " is a SIP domain in component mode (sip.other-domains: "
                        + "component), user@" + host + " appears as an escaped localpart of " + componentsText();
                case TELEPHONE -> number.filter(n -> !n.isGlobal()).isPresent()
                        ? "refused: a local number has no meaning outside its context (RFC 3966 §5.1.5)"
                        : "telephone: " + number.map(TelUri::toString).orElse("the number") + " appears as +number under "
                        + componentsText() + ", and goes to SIP as "
                        + rules.telephoneDomain().map(d -> "sip:+number@" + d + ";user=phone (sip.telephone-domain)")
                                .orElse("tel:+number (no sip.telephone-domain is set)");
                case GATEWAY -> "refused: " + host + " is the gateway's own domain, which has no users";
                case REFUSED -> host.isEmpty() ? "refused: not an address of a SIP domain"
                        : "refused: " + host + " is not served (sip.other-domains: refused)";
                case UNKNOWN_XMPP -> "refused: " + host + " is none of the gateway's domains (not an XMPP user domain, "
                        + "a component domain or a federated SIP domain)";
            };
        }

        private String componentsText() {
            Set<String> components = rules.componentDomains();
            return components.size() == 1 ? "the component domain " + rules.componentDomain()
                    : "the component domain that serves the XMPP user it talks to (" + String.join(", ", components) + ")";
        }

        private static Rejected rejection(Mapped<?> failed) {
            return ((Mapped.Failed<?>) failed).rejected();
        }

        /** A refusal as each side sees it: the XMPP stanza error and the SIP status (RFC 7247 §7). */
        private static String refusal(Rejected rejected) {
            SipStatus status = rejected.sipStatus().orElseGet(() ->
                    XmppErrorToSip.statusFor(StanzaError.of(rejected.condition(), null), false));
            return "refused with <" + rejected.condition().elementName() + "/> in XMPP, " + status.code() + " "
                    + status.reason() + " in SIP: " + rejected.text();
        }

        private void row(String label, String value) {
            rows.add(new Row(label, value));
        }
    }

    /** Which rule an address falls under. */
    private enum Kind {
        XMPP_USER, FEDERATION, COMPONENT, TELEPHONE, GATEWAY, REFUSED, UNKNOWN_XMPP;

        boolean underComponent() {
            return this == COMPONENT || this == TELEPHONE;
        }
    }

    /** The XMPP user domain a mapping is made for, and how the output names it. */
    private record Counterpart(Optional<String> domain, String note) {
        static final Counterpart DEFAULT = new Counterpart(Optional.empty(), "");
    }
}
