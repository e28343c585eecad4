package org.isthmus.gateway.routing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.Rejected;
import org.isthmus.mapping.address.AddressMapper;
import org.isthmus.mapping.address.AddressUri;
import org.isthmus.mapping.address.Jid;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.error.SipStatusToXmpp;
import org.isthmus.mapping.error.StanzaError;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.MessageType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.mapping.message.XmppMessage;
import org.isthmus.sip.SipOutcome;
import org.isthmus.sip.SipTarget;

/**
 * {@code test-im}: one real message across the running gateway on an operator's request, in either
 * direction, and a report of each hop it took and where it stopped, as Lync's {@code Test-CsXmppIM}
 * does: the address mapping (RFC 7247 §6), the link or route chosen, the hand-over to the edge, and the
 * far end's answer (a SIP final response, RFC 3428 §4; or an XMPP error, RFC 6120 §8.3, within the
 * error window). The message goes where a user's message would go and is seen by the recipient.
 */
public final class TestIm {

    private static final Logger LOG = LoggerFactory.getLogger(TestIm.class);

    /** The longest body a test message may carry, in characters. */
    public static final int MAX_BODY_CHARS = 1000;

    /** How a test message ended. */
    public enum Result {
        /** XMPP to SIP: the SIP recipient answered 2xx. */
        DELIVERED,
        /** SIP to XMPP: the stanza went out and no XMPP error came back within the error window (202). */
        ACCEPTED,
        /** The far end refused it: a SIP error status, or an XMPP error. */
        REJECTED,
        /** It stopped inside the gateway: the address did not map, no route or link, or it could not be sent. */
        STOPPED,
        /** No final answer within the time allowed. */
        TIMEOUT;

        /** The name in the admin API's JSON and the CLI's output, e.g. {@code delivered}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One step of the message's way.
     *
     * @param step   what the step is: {@code address mapping}, {@code route}, {@code link}, {@code sent},
     *               {@code answer}
     * @param ok     whether the message got past it
     * @param detail what happened, with the addresses, hop or status involved
     */
    public record Hop(String step, boolean ok, String detail) {
        public Hop {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * The report of one test message.
     *
     * @param direction {@code xmpp-to-sip} or {@code sip-to-xmpp}
     * @param result    how it ended
     * @param hops      the steps it took, in order; the last failed one is where it stopped
     */
    public record Report(String direction, Result result, List<Hop> hops) {
        public Report {
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(result, "result");
            hops = List.copyOf(hops);
        }
    }

    /**
     * The XMPP link a stanza from a domain leaves by, as the gateway chooses it.
     *
     * @param description what the link is, e.g. {@code XEP-0114 component sip.xmpp.test -> 127.0.0.1:5347}
     * @param up          whether it can carry a stanza now
     */
    public record Link(String description, boolean up) {
        public Link {
            Objects.requireNonNull(description, "description");
        }
    }

    private final Router router;
    private final Function<String, Optional<Link>> links;

    /**
     * @param router the router whose mapping, routes and edges the test message goes through
     * @param links  the XMPP link for the domain a stanza is from, if any serves it
     */
    public TestIm(Router router, Function<String, Optional<Link>> links) {
        this.router = Objects.requireNonNull(router, "router");
        this.links = Objects.requireNonNull(links, "links");
    }

    /**
     * Sends {@code body} from {@code from} to {@code to}: from an XMPP user (a JID, optionally
     * {@code xmpp:}) to a SIP user (a SIP URI, or the SIP user's JID on the gateway), or from a SIP user
     * (a {@code sip:} URI) to an XMPP user (a JID or a SIP URI of an XMPP domain).
     *
     * @param timeout how long to wait for the far end's answer
     * @throws IllegalArgumentException when an address is not valid, or neither direction fits
     */
    public CompletionStage<Report> send(String from, String to, String body, Duration timeout) {
        Objects.requireNonNull(body, "body");
        if (body.isEmpty() || body.length() > MAX_BODY_CHARS) {
            throw new IllegalArgumentException("the body must have 1 to " + MAX_BODY_CHARS + " characters");
        }
        AddressMapper addresses = router.addresses();
        String f = from.strip();
        String t = to.strip();
        if (isSipSide(f)) {
            SipUri sender = sipUri(f, "from");
            if (addresses.isXmppDomain(sender.host())) {
                throw new IllegalArgumentException("from: " + f + " is an XMPP user's address; give a SIP user as "
                        + "the sender, or an XMPP user's JID to send the other way");
            }
            SipUri recipient = isSipSide(t) ? sipUri(t, "to") : toSipUri(jid(t, "to"));
            return fromSip(sender, recipient, body, timeout);
        }
        Jid sender = jid(f, "from");
        if (!addresses.isXmppDomain(sender.domain())) {
            throw new IllegalArgumentException("from: " + f + " is not a user of an XMPP domain the gateway serves "
                    + addresses.xmppDomains() + "; give one, or a sip: URI to send from the SIP side");
        }
        Jid recipient;
        if (isSipSide(t)) {
            Mapped<AddressUri> uri = AddressUri.parse(t);
            if (uri instanceof Mapped.Failed<AddressUri> failed) {
                throw new IllegalArgumentException("to: " + t + " is not a valid URI: " + failed.rejected().text());
            }
            Mapped<Jid> mapped = addresses.toJid(uri.orThrow(), sender.domain());
            if (mapped instanceof Mapped.Failed<Jid> failed) {
                return CompletableFuture.completedFuture(new Report("xmpp-to-sip", Result.STOPPED, List.of(
                        new Hop("address mapping", false, t + " has no JID: " + describe(failed.rejected())))));
            }
            recipient = mapped.orThrow();
        } else {
            recipient = jid(t, "to");
        }
        return fromXmpp(sender, recipient, body, timeout);
    }

    // ---- From XMPP to SIP -------------------------------------------------------------------------

    private CompletionStage<Report> fromXmpp(Jid from, Jid to, String body, Duration timeout) {
        String id = "test-im-" + UUID.randomUUID();
        List<Hop> hops = new ArrayList<>();
        XmppMessage message = new XmppMessage(from, to, Optional.of(id), MessageType.CHAT, Optional.empty(),
                Optional.of(body), Optional.empty(), Optional.empty(), Optional.empty());
        Mapped<SipPagerMessage> translated = router.toSipMessage(message);
        if (translated instanceof Mapped.Failed<SipPagerMessage> failed) {
            hops.add(new Hop("address mapping", false, from + " -> " + to + ": " + describe(failed.rejected())));
            return done(id, "xmpp-to-sip", Result.STOPPED, hops);
        }
        SipPagerMessage out = translated.orThrow();
        hops.add(new Hop("address mapping", true, "from " + from + " -> " + out.from() + ", to " + to + " -> "
                + out.requestUri() + " (RFC 7247 §6)"));
        Mapped<SipTarget> target = router.route(out.requestUri());
        if (target instanceof Mapped.Failed<SipTarget> failed) {
            hops.add(new Hop("route", false, describe(failed.rejected())));
            return done(id, "xmpp-to-sip", Result.STOPPED, hops);
        }
        SipTarget via = target.orThrow();
        hops.add(new Hop("route", true, describe(out.requestUri(), via)));
        long start = System.nanoTime();
        return router.sendToSip(out, via).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((outcome, error) -> {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        if (cause instanceof TimeoutException) {
                            hops.add(new Hop("sent", true, "MESSAGE to " + via.requestUri() + " on the SIP edge"));
                            hops.add(new Hop("answer", false, "no final response within " + timeout.toMillis() + " ms"));
                            return report(id, "xmpp-to-sip", Result.TIMEOUT, hops);
                        }
                        hops.add(new Hop("sent", false, "the SIP edge failed: " + cause));
                        return report(id, "xmpp-to-sip", Result.STOPPED, hops);
                    }
                    hops.add(new Hop("sent", true, "MESSAGE to " + via.requestUri() + " on the SIP edge"));
                    return report(id, "xmpp-to-sip", answer(outcome, ms, hops), hops);
                });
    }

    private static Result answer(SipOutcome outcome, long ms, List<Hop> hops) {
        SipStatus status = outcome.status();
        String line = status.code() + " " + status.reason() + " after " + ms + " ms";
        if (status.isSuccess()) {
            hops.add(new Hop("answer", true, line));
            return Result.DELIVERED;
        }
        // What the XMPP sender would have been told (RFC 7247 §7.2).
        StanzaError mapped = SipStatusToXmpp.errorFor(status, outcome.contact());
        hops.add(new Hop("answer", false, line + "; an XMPP sender gets " + mapped.condition().elementName()));
        // RFC 3261 §17.1.2.2: 408 is also what a transaction that timed out (Timer F) reports.
        return status.code() == 408 ? Result.TIMEOUT : Result.REJECTED;
    }

    private String describe(SipUri recipient, SipTarget via) {
        if (router.isRegistered(recipient)) {
            return "registered contact " + via.requestUri() + " (RFC 3261 §10)";
        }
        if (via.outboundProxy().isPresent()) {
            return via.requestUri() + " through the outbound proxy " + via.outboundProxy().get();
        }
        if (via.nextHop().isPresent()) {
            return via.requestUri() + " through the configured next hop " + via.nextHop().get().host() + ":"
                    + via.nextHop().get().port() + " over " + via.nextHop().get().transport().toUpperCase(Locale.ROOT);
        }
        return via.requestUri() + ", its server located by RFC 3263 (NAPTR, SRV, A) lookups";
    }

    // ---- From SIP to XMPP -------------------------------------------------------------------------

    private CompletionStage<Report> fromSip(SipUri from, SipUri to, String body, Duration timeout) {
        String callId = "test-im-" + UUID.randomUUID();
        List<Hop> hops = new ArrayList<>();
        SipPagerMessage message = new SipPagerMessage(from, to, to, Optional.of(callId), MediaType.TEXT_PLAIN_UTF8,
                body.getBytes(StandardCharsets.UTF_8), Optional.empty(), Optional.empty());
        Mapped<XmppMessage> preview = router.toXmppMessage(message, callId);
        if (preview instanceof Mapped.Failed<XmppMessage> failed) {
            hops.add(new Hop("address mapping", false, from + " -> " + to + ": " + describe(failed.rejected())));
            return done(callId, "sip-to-xmpp", Result.STOPPED, hops);
        }
        XmppMessage stanza = preview.orThrow();
        hops.add(new Hop("address mapping", true, "from " + from + " -> " + stanza.from() + ", to " + to + " -> "
                + stanza.to() + " (RFC 7247 §6)"));
        Optional<Link> link = links.apply(stanza.from().domain());
        if (link.isEmpty()) {
            hops.add(new Hop("link", false, "no XMPP link serves " + stanza.from().domain()
                    + "; check xmpp.component and xmpp.s2s"));
            return done(callId, "sip-to-xmpp", Result.STOPPED, hops);
        }
        if (!link.get().up()) {
            hops.add(new Hop("link", false, link.get().description() + " is down"));
            return done(callId, "sip-to-xmpp", Result.STOPPED, hops);
        }
        hops.add(new Hop("link", true, link.get().description() + " is up"));
        Duration window = router.errorWindow();
        return router.relayToXmpp(message).toCompletableFuture()
                .orTimeout(window.plus(timeout).toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, error) -> {
                    if (error != null) {
                        hops.add(new Hop("answer", false, "no answer within " + window.plus(timeout).toMillis()
                                + " ms"));
                        return report(callId, "sip-to-xmpp", Result.TIMEOUT, hops);
                    }
                    String stanzaId = answer.stanzaId().orElse("-");
                    if (!answer.sent()) {
                        hops.add(new Hop("sent", false, "not sent on the XMPP link: SIP " + answer.status().code()
                                + " " + answer.status().reason()));
                        return report(callId, "sip-to-xmpp", Result.STOPPED, hops);
                    }
                    hops.add(new Hop("sent", true, "message id=" + stanzaId + " on the XMPP link"));
                    if (answer.error().isPresent()) {
                        StanzaError e = answer.error().get();
                        hops.add(new Hop("answer", false, "XMPP error " + e.condition().elementName() + " ("
                                + e.type().toString().toLowerCase(Locale.ROOT) + ")" + e.text().map(x -> ": " + x)
                                .orElse("") + "; the SIP sender gets " + answer.status().code() + " "
                                + answer.status().reason() + " (RFC 7247 §7.1)"));
                        return report(callId, "sip-to-xmpp", Result.REJECTED, hops);
                    }
                    hops.add(new Hop("answer", true, "no XMPP error within the error window of " + window.toMillis()
                            + " ms: the SIP sender gets " + answer.status().code() + " " + answer.status().reason()
                            + " (RFC 3428 §7: accepted by a gateway)"));
                    return report(callId, "sip-to-xmpp", Result.ACCEPTED, hops);
                });
    }

    // ---- Parts ------------------------------------------------------------------------------------

    /** A SIP-side address: a {@code sip:}, {@code sips:} or {@code tel:} URI. */
    private static boolean isSipSide(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        return lower.startsWith("sip:") || lower.startsWith("sips:") || lower.startsWith("tel:");
    }

    private static SipUri sipUri(String text, String which) {
        Mapped<SipUri> uri = SipUri.parse(text);
        if (uri instanceof Mapped.Failed<SipUri> failed) {
            throw new IllegalArgumentException(which + ": " + text + " is not a valid SIP URI: "
                    + failed.rejected().text());
        }
        return uri.orThrow();
    }

    private static Jid jid(String text, String which) {
        String bare = text.regionMatches(true, 0, "xmpp:", 0, 5) ? text.substring(5) : text;
        Mapped<Jid> jid = Jid.parse(bare);
        if (jid instanceof Mapped.Failed<Jid> failed) {
            throw new IllegalArgumentException(which + ": " + text + " is not a valid JID: " + failed.rejected().text());
        }
        return jid.orThrow();
    }

    /** RFC 7247 §6: an XMPP user's SIP address has the same user and domain. */
    private static SipUri toSipUri(Jid jid) {
        if (jid.local().isEmpty()) {
            throw new IllegalArgumentException("to: " + jid + " has no localpart; give a user's JID");
        }
        return SipUri.of(jid.local().get(), jid.domain());
    }

    private static String describe(Rejected r) {
        return r.condition().elementName() + ": " + r.text();
    }

    private static CompletionStage<Report> done(String id, String direction, Result result, List<Hop> hops) {
        return CompletableFuture.completedFuture(report(id, direction, result, hops));
    }

    private static Report report(String id, String direction, Result result, List<Hop> hops) {
        Hop last = hops.get(hops.size() - 1);
        LOG.info("test-im {} id={} result={} at {}: {}", direction, id, result.wireName(), last.step(), last.detail());
        return new Report(direction, result, hops);
    }
}
