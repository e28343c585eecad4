package org.isthmus.gateway;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.isthmus.gateway.presence.MirrorRecord;
import org.isthmus.gateway.presence.SubscriptionMirror;
import org.isthmus.gateway.registrar.Registrar;
import org.isthmus.gateway.routing.Router;
import org.isthmus.sip.presence.SubscriptionDialog;

/**
 * A read-only view of what the gateway holds right now (DESIGN.md "SessionTable"): its XMPP links,
 * the SIP registrations, the presence subscriptions with their SIP dialogs, the conversations seen
 * lately and the messages in flight. Each call takes a fresh snapshot; nothing here changes state.
 * The admin API renders these values as JSON.
 */
public final class SessionTable {

    /**
     * An XMPP link.
     *
     * @param domain the component domain, or the federated domains for server-to-server
     * @param kind   {@code component} or {@code s2s}
     * @param up     whether stanzas can be sent on it now (s2s streams open on demand: always true)
     */
    public record Link(String domain, String kind, boolean up) {
    }

    /**
     * A bound contact of a SIP user.
     *
     * @param addressOfRecord the user
     * @param contact         where requests for the user go
     * @param expiresAt       when the binding ends unless refreshed
     */
    public record Registration(String addressOfRecord, String contact, Instant expiresAt) {
    }

    /**
     * One mirrored pair: both directions' RFC 6121 and RFC 6665 states and their SIP dialogs.
     *
     * @param user             the XMPP user
     * @param contact          the SIP contact
     * @param outbound         the user's subscription to the contact and its dialog state
     * @param inbound          the contact's subscription to the user and its dialog state
     * @param subscriberCallId the Call-ID of the dialog in which the gateway subscribes, if any
     * @param subscriberExpiry when that subscription ends unless refreshed
     * @param notifierCallId   the Call-ID of the dialog in which the gateway notifies, if any
     * @param notifierExpiry   when that subscription ends unless the watcher refreshes it
     * @param owner            the node holding the pair when several share the store
     */
    public record Subscription(String user, String contact, String outbound, String inbound,
                               Optional<String> subscriberCallId, Optional<Instant> subscriberExpiry,
                               Optional<String> notifierCallId, Optional<Instant> notifierExpiry, String owner) {
    }

    private final Supplier<List<Link>> links;
    private final Registrar registrar;
    private final Optional<SubscriptionMirror> mirror;
    private final Router router;

    SessionTable(Supplier<List<Link>> links, Registrar registrar, Optional<SubscriptionMirror> mirror, Router router) {
        this.links = links;
        this.registrar = registrar;
        this.mirror = mirror;
        this.router = router;
    }

    /** The XMPP links. */
    public List<Link> links() {
        return links.get();
    }

    /** Every live registration, by address of record. */
    public List<Registration> registrations() {
        List<Registration> out = new ArrayList<>();
        for (Map.Entry<String, List<Registrar.Binding>> e : registrar.snapshot().entrySet()) {
            for (Registrar.Binding b : e.getValue()) {
                out.add(new Registration(e.getKey(), b.contact().toString(), b.expiresAt()));
            }
        }
        return out;
    }

    /** The presence subscriptions whose XMPP user or SIP contact contains {@code filter} (all for ""). */
    public List<Subscription> subscriptions(String filter) {
        if (mirror.isEmpty()) {
            return List.of();
        }
        List<Subscription> out = new ArrayList<>();
        for (MirrorRecord r : mirror.get().snapshot(filter)) {
            out.add(new Subscription(r.user().toString(), r.contactUri().toString(),
                    r.state().outbound() + "/" + r.state().subscriber(), r.state().inbound() + "/" + r.state().notifier(),
                    r.subscriber().map(SubscriptionDialog::callId), r.subscriber().map(SubscriptionDialog::expiresAt),
                    r.notifier().map(SubscriptionDialog::callId), r.notifier().map(SubscriptionDialog::expiresAt),
                    r.owner()));
        }
        return out;
    }

    /** The conversations seen lately, the most recently active first. */
    public List<Router.Conversation> conversations() {
        return router.conversations();
    }

    /** SIP messages relayed to XMPP whose final response still waits for the error window. */
    public List<Router.InFlight> inFlight() {
        return router.inFlight();
    }
}
