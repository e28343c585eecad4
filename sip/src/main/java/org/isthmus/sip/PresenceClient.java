package org.isthmus.sip;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.mapping.Mapped;
import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.document.pidf.PidfWriter;
import org.isthmus.mapping.document.pidf.PresenceDocument;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.SecuredObject;
import org.isthmus.mapping.subscription.SipSubscribe;
import org.isthmus.mapping.subscription.SubscriptionState;
import org.isthmus.sip.presence.DialogKey;
import org.isthmus.sip.presence.NotifyOutcome;
import org.isthmus.sip.presence.PublishOutcome;
import org.isthmus.sip.presence.SubscribeOutcome;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * The requests the edge sends for presence: NOTIFY as notifier (RFC 6665 §4.2.2, RFC 3856 §6.7),
 * SUBSCRIBE as subscriber (RFC 6665 §4.1.2, RFC 3856 §6), PUBLISH (RFC 3903 §4). Requests inside a
 * dialog are built by hand from a {@link SubscriptionDialog} value (RFC 3261 §12.2.1.1) and sent in a new
 * client transaction through {@link UserAgentClient#dispatch}, never through a {@code javax.sip.Dialog}.
 *
 * <p>The only state kept is the SUBSCRIBEs sent in the last 64*T1 (Timer N, RFC 6665 §4.1.2.4), so that a
 * NOTIFY that comes before the 2xx, or before the gateway stored the dialog, is recognized.
 */
final class PresenceClient {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceClient.class);

    /** RFC 6665 §4.1.2.4: Timer N, 64*T1 with T1 = 500 ms. */
    private static final long TIMER_N_MS = 64 * 500;

    /** Who the edge is in a Contact when the local URI has no user part. */
    private static final String DEFAULT_CONTACT_USER = "isthmus";

    private final UserAgentClient uac;
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final ScheduledExecutorService scheduler;
    private final Header userAgent;
    private final Clock clock;
    private final Map<String, PendingSubscribe> pending = new ConcurrentHashMap<>();

    PresenceClient(UserAgentClient uac, MessageFactory messages, HeaderFactory headers, AddressFactory addresses,
                   ScheduledExecutorService scheduler, Header userAgent, Clock clock) {
        this.uac = uac;
        this.messages = messages;
        this.headers = headers;
        this.addresses = addresses;
        this.scheduler = scheduler;
        this.userAgent = userAgent;
        this.clock = clock;
    }

    // ---- notifier ------------------------------------------------------------------------------------

    /**
     * A NOTIFY in {@code dialog} with CSeq {@code cseq} (RFC 6665 §4.2.2): Event, Subscription-State (an
     * active or pending state without {@code expires} gets the seconds left), Contact, and a PIDF body if
     * given (RFC 3856 §6.7).
     */
    CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, long cseq, SubscriptionState state,
                                            Optional<PresenceDocument> document) {
        return notify(dialog, cseq, state, template -> {
            if (document.isPresent()) {
                ContentTypeHeader type = headers.createContentTypeHeader("application", "pidf+xml");
                template.setContent(PidfWriter.write(document.get()), type);
            }
        });
    }

    /**
     * A NOTIFY in {@code dialog} whose body is a secured PIDF, the S/MIME object's octets as they are
     * under its own Content-Type (RFC 3923 §8, RFC 3856 §6.7), with the gateway's signature check as an
     * Authentication-Results header (RFC 8601 §2.2) if given.
     */
    CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, long cseq, SubscriptionState state,
                                            SecuredObject object, Optional<String> authenticationResults) {
        return notify(dialog, cseq, state, template -> {
            if (authenticationResults.isPresent()) {
                template.addHeader(headers.createHeader("Authentication-Results", authenticationResults.get()));
            }
            template.setContent(object.body(), uac.contentType(object.contentType()));
        });
    }

    /** Adds a body, and the headers that go with it, to a request being built. */
    private interface BodyWriter {
        void write(Request template) throws ParseException;
    }

    private CompletableFuture<NotifyOutcome> notify(SubscriptionDialog dialog, long cseq, SubscriptionState state,
                                                    BodyWriter body) {
        SubscriptionDialog sent = dialog.withLocalCseq(cseq);
        Request template;
        try {
            template = inDialog(dialog, Request.NOTIFY, cseq);
            template.addHeader(headers.createHeader("Subscription-State", withExpires(state, dialog).format()));
            body.write(template);
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            LOG.warn("NOTIFY not built dialog={}: {}", LogText.safe(dialog.key()), LogText.safe(e.getMessage()));
            return CompletableFuture.completedFuture(new NotifyOutcome(
                    SipOutcome.of(new SipStatus(500, "Request not encodable")), sent));
        }
        return uac.dispatch(template, hopsOf(dialog), Optional.of(contactUser(dialog.localUri())))
                .thenApply(s -> new NotifyOutcome(s.outcome(), dialog.withLocalCseq(s.cseq())));
    }

    /** RFC 6665 §4.2.2: active and pending carry {@code expires}, the time left. */
    private SubscriptionState withExpires(SubscriptionState state, SubscriptionDialog dialog) {
        long left = dialog.secondsLeft(clock.instant());
        if (state instanceof SubscriptionState.Active a && a.expires().isEmpty()) {
            return SubscriptionState.Active.of(left);
        }
        if (state instanceof SubscriptionState.Pending p && p.expires().isEmpty()) {
            return SubscriptionState.Pending.of(left);
        }
        return state;
    }

    // ---- subscriber ----------------------------------------------------------------------------------

    /**
     * An initial SUBSCRIBE (RFC 6665 §4.1.2.1, RFC 3856 §6): From the watcher with a fresh tag, To and
     * Request-URI the presentity, Event presence, Accept application/pidf+xml, Expires, Contact; a 423 is
     * retried once with the notifier's Min-Expires.
     */
    CompletableFuture<SubscribeOutcome> subscribe(SipUri presentity, SipUri watcher, long expires, SipTarget target) {
        String callId = uac.newCallId();
        String localTag = tag();
        Request template;
        try {
            FromHeader from = headers.createFromHeader(address(watcher), localTag);
            ToHeader to = headers.createToHeader(address(presentity), null);
            template = messages.createRequest(addresses.createURI(target.requestUri().toString()), Request.SUBSCRIBE,
                    headers.createCallIdHeader(callId), headers.createCSeqHeader(1L, Request.SUBSCRIBE), from, to,
                    List.of(uac.via("udp")), headers.createMaxForwardsHeader(UserAgentClient.MAX_FORWARDS));
            template.addHeader(headers.createEventHeader(SipSubscribe.PRESENCE_EVENT));
            template.addHeader(headers.createAcceptHeader("application", "pidf+xml"));
            template.addHeader(headers.createExpiresHeader((int) Math.min(expires, Integer.MAX_VALUE)));
            template.addHeader(userAgent);
            uac.preloadRoute(template, target);
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            LOG.warn("SUBSCRIBE not built to={}: {}", LogText.safe(presentity), LogText.safe(e.getMessage()));
            return CompletableFuture.completedFuture(new SubscribeOutcome(
                    SipOutcome.of(new SipStatus(500, "Request not encodable")), Optional.empty()));
        }
        PendingSubscribe p = new PendingSubscribe(callId, localTag, watcher, presentity, expires);
        String key = pendingKey(callId, localTag);
        pending.put(key, p);
        scheduler.schedule(() -> pending.remove(key), TIMER_N_MS, TimeUnit.MILLISECONDS);
        Optional<String> contact = Optional.of(contactUser(watcher));
        return withMinExpiresRetry(template, target, contact).thenApply(s -> {
            p.localCseq = s.cseq();
            if (!s.outcome().status().isSuccess() || s.response().isEmpty()) {
                pending.remove(key);
                return new SubscribeOutcome(s.outcome(), Optional.empty());
            }
            Response ok = s.response().get();
            Instant expiresAt = clock.instant().plusSeconds(expiresOf(ok).orElse(expires));
            synchronized (p) {
                SubscriptionDialog d = p.dialog != null ? p.dialog.withLocalCseq(s.cseq())
                        : fromResponse(p, ok, s.cseq(), presentity.secure());
                p.dialog = d.withExpiresAt(expiresAt);
                return new SubscribeOutcome(s.outcome(), Optional.of(p.dialog));
            }
        });
    }

    /**
     * A SUBSCRIBE in {@code dialog} (RFC 6665 §4.1.2.2; Expires 0 unsubscribes, §4.1.2.3), a 423 retried
     * once with Min-Expires. The outcome's dialog has the CSeq used and, on 2xx, the new expiry and the
     * Contact of the 2xx as remote target (SUBSCRIBE is a target refresh request, §3.1.4).
     */
    CompletableFuture<SubscribeOutcome> refresh(SubscriptionDialog dialog, long expires) {
        long cseq = dialog.localCseq() + 1;
        Request template;
        try {
            template = inDialog(dialog, Request.SUBSCRIBE, cseq);
            template.addHeader(headers.createAcceptHeader("application", "pidf+xml"));
            template.addHeader(headers.createExpiresHeader((int) Math.min(expires, Integer.MAX_VALUE)));
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            LOG.warn("SUBSCRIBE not built dialog={}: {}", LogText.safe(dialog.key()), LogText.safe(e.getMessage()));
            return CompletableFuture.completedFuture(new SubscribeOutcome(
                    SipOutcome.of(new SipStatus(500, "Request not encodable")), Optional.of(dialog)));
        }
        return withMinExpiresRetry(template, hopsOf(dialog), Optional.of(contactUser(dialog.localUri()))).thenApply(s -> {
            SubscriptionDialog d = dialog.withLocalCseq(s.cseq());
            if (s.outcome().status().isSuccess() && s.response().isPresent()) {
                Response ok = s.response().get();
                d = d.withExpiresAt(clock.instant().plusSeconds(expiresOf(ok).orElse(expires)));
                Optional<SipUri> target = contactOf(ok);
                if (target.isPresent()) {
                    d = d.withRemoteTarget(target.get());
                }
            }
            return new SubscribeOutcome(s.outcome(), Optional.of(d));
        });
    }

    /**
     * What the edge knows of the dialog a received NOTIFY names (To tag = a SUBSCRIBE's From tag, RFC 6665
     * §4.1.2.4, §4.4.1): empty if it is no SUBSCRIBE sent within Timer N (an ordinary in-dialog NOTIFY);
     * {@link Match.Pending} with the dialog before this NOTIFY; {@link Match.Forked} if another notifier's
     * dialog already answered that SUBSCRIBE: the edge keeps the first and answers the others 481
     * (§4.1.2.4 lets the subscriber refuse them), which ends their subscriptions (§4.2.2).
     */
    Optional<Match> match(Request notify, DialogKey key, long cseq, OptionalLong stateExpires) {
        PendingSubscribe p = pending.get(pendingKey(key.callId(), key.localTag()));
        if (p == null) {
            return Optional.empty();
        }
        synchronized (p) {
            if (p.dialog == null) {
                // §4.1.2.4: the NOTIFY creates the dialog; as its UAS the route set is Record-Route as is.
                Optional<SipUri> target = contactOf(notify);
                List<SipUri> routes = recordRoutes(notify);
                Instant expiresAt = clock.instant().plusSeconds(stateExpires.orElse(p.expires));
                p.dialog = new SubscriptionDialog(SubscriptionDialog.Role.SUBSCRIBER, p.callId, p.localTag,
                        key.remoteTag(), p.watcher, p.presentity, target.orElse(p.presentity), routes,
                        Math.max(1, p.localCseq), 0, SipSubscribe.PRESENCE_EVENT, Optional.empty(), expiresAt,
                        p.presentity.secure());
            } else if (!p.dialog.remoteTag().equals(key.remoteTag())) {
                return Optional.of(new Match.Forked());
            }
            SubscriptionDialog before = p.dialog;
            if (cseq > p.dialog.remoteCseq()) {
                p.dialog = p.dialog.withRemoteCseq(cseq);
            }
            return Optional.of(new Match.Pending(before));
        }
    }

    /** How a received NOTIFY relates to a recently sent SUBSCRIBE. */
    sealed interface Match {
        /** The dialog of that SUBSCRIBE as it was before this NOTIFY. */
        record Pending(SubscriptionDialog dialog) implements Match {
        }

        /** Another fork already holds that SUBSCRIBE's dialog. */
        record Forked() implements Match {
        }
    }

    /** The dialog of a SUBSCRIBE's 2xx as its UAC (RFC 3261 §12.1.2): route set reversed, target from Contact. */
    private SubscriptionDialog fromResponse(PendingSubscribe p, Response ok, long cseq, boolean secure) {
        String remoteTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
        List<SipUri> routes = new ArrayList<>(recordRoutes(ok));
        Collections.reverse(routes);
        return new SubscriptionDialog(SubscriptionDialog.Role.SUBSCRIBER, p.callId, p.localTag,
                remoteTag == null || remoteTag.isBlank() ? "none" : remoteTag, p.watcher, p.presentity,
                contactOf(ok).orElse(p.presentity), routes, cseq, 0, SipSubscribe.PRESENCE_EVENT, Optional.empty(),
                clock.instant(), secure);
    }

    // ---- PUBLISH -------------------------------------------------------------------------------------

    /**
     * A PUBLISH of presence (RFC 3903 §4): initial (body, no entity tag), refresh (entity tag, no body,
     * §4.2), modify (both, §4.3), remove (entity tag, Expires 0, §4.4). A 423 is retried once with the
     * server's Min-Expires (§6 step 5).
     */
    CompletableFuture<PublishOutcome> publish(SipUri presentity, Optional<String> entityTag, long expires,
                                              Optional<PresenceDocument> document, SipTarget target) {
        Request template;
        try {
            Address aor = address(presentity);
            template = messages.createRequest(addresses.createURI(target.requestUri().toString()), Request.PUBLISH,
                    headers.createCallIdHeader(uac.newCallId()), headers.createCSeqHeader(1L, Request.PUBLISH),
                    headers.createFromHeader(aor, tag()), headers.createToHeader(aor, null),
                    List.of(uac.via("udp")), headers.createMaxForwardsHeader(UserAgentClient.MAX_FORWARDS));
            template.addHeader(headers.createEventHeader(SipSubscribe.PRESENCE_EVENT));
            template.addHeader(headers.createExpiresHeader((int) Math.min(expires, Integer.MAX_VALUE)));
            if (entityTag.isPresent()) {
                template.addHeader(headers.createSIPIfMatchHeader(entityTag.get()));
            }
            if (document.isPresent()) {
                template.setContent(PidfWriter.write(document.get()),
                        headers.createContentTypeHeader("application", "pidf+xml"));
            }
            template.addHeader(userAgent);
            uac.preloadRoute(template, target);
        } catch (ParseException | InvalidArgumentException | IllegalArgumentException | javax.sip.SipException e) {
            LOG.warn("PUBLISH not built for={}: {}", LogText.safe(presentity), LogText.safe(e.getMessage()));
            return CompletableFuture.completedFuture(new PublishOutcome(
                    SipOutcome.of(new SipStatus(500, "Request not encodable")), Optional.empty(), OptionalLong.empty()));
        }
        return withMinExpiresRetry(template, target, Optional.empty()).thenApply(s -> {
            if (!s.outcome().status().isSuccess() || s.response().isEmpty()) {
                return new PublishOutcome(s.outcome(), Optional.empty(), OptionalLong.empty());
            }
            Response ok = s.response().get();
            Header etag = ok.getHeader("SIP-ETag");
            Optional<String> tag = etag instanceof javax.sip.header.SIPETagHeader h
                    ? Optional.ofNullable(h.getETag()) : Optional.empty();
            return new PublishOutcome(s.outcome(), tag, expiresOf(ok));
        });
    }

    // ---- building ------------------------------------------------------------------------------------

    /**
     * A request in {@code dialog} (RFC 3261 §12.2.1.1): Request-URI the remote target and Route the route
     * set, or with a strict router first (no {@code lr}) Request-URI that router and the remote target as
     * the last Route; From, To with tags, Call-ID, CSeq, Max-Forwards, Event with its id, User-Agent.
     */
    private Request inDialog(SubscriptionDialog dialog, String method, long cseq)
            throws ParseException, InvalidArgumentException, javax.sip.SipException {
        List<SipUri> routes = new ArrayList<>(dialog.routeSet());
        SipUri requestUri = dialog.remoteTarget();
        if (!routes.isEmpty() && routes.get(0).parameter("lr").isEmpty()) {
            requestUri = routes.remove(0);
            routes.add(dialog.remoteTarget());
        }
        FromHeader from = headers.createFromHeader(address(dialog.localUri()), dialog.localTag());
        ToHeader to = headers.createToHeader(address(dialog.remoteUri()), dialog.remoteTag());
        Request request = messages.createRequest(addresses.createURI(requestUri.toString()), method,
                headers.createCallIdHeader(dialog.callId()), headers.createCSeqHeader(cseq, method), from, to,
                List.of(uac.via("udp")), headers.createMaxForwardsHeader(UserAgentClient.MAX_FORWARDS));
        for (SipUri route : routes) {
            request.addHeader(headers.createRouteHeader(address(route)));
        }
        EventHeader event = headers.createEventHeader(dialog.event());
        if (dialog.eventId().isPresent()) {
            event.setEventId(dialog.eventId().get());
        }
        request.addHeader(event);
        request.addHeader(userAgent);
        return request;
    }

    /** Where an in-dialog request goes: the first Route if any (§12.2.1.1, §8.1.2), else the remote target. */
    private static SipTarget hopsOf(SubscriptionDialog dialog) {
        SipUri first = dialog.routeSet().isEmpty() ? dialog.remoteTarget() : dialog.routeSet().get(0);
        return SipTarget.direct(first);
    }

    /** Sends, and on a 423 with Min-Expires once more with that Expires and the next CSeq. */
    private CompletableFuture<UserAgentClient.Sent> withMinExpiresRetry(Request template, SipTarget target,
                                                                         Optional<String> contactUser) {
        return uac.dispatch(template, target, contactUser).thenCompose(s -> {
            if (s.outcome().status().code() != 423 || s.response().isEmpty()) {
                return CompletableFuture.completedFuture(s);
            }
            MinExpiresHeader min = (MinExpiresHeader) s.response().get().getHeader(MinExpiresHeader.NAME);
            if (min == null || min.getExpires() <= 0) {
                return CompletableFuture.completedFuture(s);
            }
            Request retry = (Request) template.clone();
            try {
                ((CSeqHeader) retry.getHeader(CSeqHeader.NAME)).setSeqNumber(s.cseq() + 1);
                retry.setHeader(headers.createExpiresHeader(min.getExpires()));
            } catch (InvalidArgumentException e) {
                return CompletableFuture.completedFuture(s);
            }
            LOG.debug("{} retried with Min-Expires {} callId={}", retry.getMethod(), min.getExpires(),
                    LogText.safe(((CallIdHeader) retry.getHeader(CallIdHeader.NAME)).getCallId()));
            return uac.dispatch(retry, target, contactUser);
        });
    }

    private Address address(SipUri uri) throws ParseException {
        return addresses.createAddress(addresses.createURI(uri.toString()));
    }

    private static String contactUser(SipUri uri) {
        return uri.user().orElse(DEFAULT_CONTACT_USER);
    }

    static OptionalLong expiresOf(javax.sip.message.Message message) {
        ExpiresHeader h = (ExpiresHeader) message.getHeader(ExpiresHeader.NAME);
        return h == null || h.getExpires() < 0 ? OptionalLong.empty() : OptionalLong.of(h.getExpires());
    }

    /** The first Contact's URI if it is a SIP URI the mapping module reads. */
    static Optional<SipUri> contactOf(javax.sip.message.Message message) {
        ContactHeader h = (ContactHeader) message.getHeader(ContactHeader.NAME);
        if (h == null || h.getAddress() == null || h.getAddress().getURI() == null) {
            return Optional.empty();
        }
        return sipUri(h.getAddress().getURI().toString());
    }

    /** The Record-Route URIs in the order received (unreadable ones skipped). */
    static List<SipUri> recordRoutes(javax.sip.message.Message message) {
        List<SipUri> routes = new ArrayList<>();
        ListIterator<?> it = message.getHeaders(RecordRouteHeader.NAME);
        while (it != null && it.hasNext()) {
            RecordRouteHeader h = (RecordRouteHeader) it.next();
            sipUri(h.getAddress().getURI().toString()).ifPresent(routes::add);
        }
        return routes;
    }

    static Optional<SipUri> sipUri(String text) {
        Mapped<SipUri> parsed = SipUri.parse(text);
        return parsed instanceof Mapped.Ok<SipUri> ok ? Optional.of(ok.value()) : Optional.empty();
    }

    private static String pendingKey(String callId, String localTag) {
        return callId + '\n' + localTag;
    }

    private static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    /** A SUBSCRIBE sent within Timer N; {@code dialog} is set by its 2xx or its first NOTIFY. */
    private static final class PendingSubscribe {
        final String callId;
        final String localTag;
        final SipUri watcher;
        final SipUri presentity;
        final long expires;
        volatile long localCseq = 1;
        SubscriptionDialog dialog;

        PendingSubscribe(String callId, String localTag, SipUri watcher, SipUri presentity, long expires) {
            this.callId = callId;
            this.localTag = localTag;
            this.watcher = watcher;
            this.presentity = presentity;
            this.expires = expires;
        }
    }
}
