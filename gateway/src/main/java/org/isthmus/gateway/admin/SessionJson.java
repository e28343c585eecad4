package org.isthmus.gateway.admin;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.isthmus.gateway.SessionTable;
import org.isthmus.gateway.metrics.RecentErrors;
import org.isthmus.gateway.routing.Router;

/**
 * The JSON of each session-table value, written field by field so that the API stays what this class
 * says even when a record changes: the record components' names, instants as ISO-8601 UTC strings,
 * an empty {@link Optional} as an absent field.
 */
final class SessionJson {

    private SessionJson() {
    }

    static ObjectNode link(ObjectMapper json, SessionTable.Link l) {
        return json.createObjectNode().put("domain", l.domain()).put("kind", l.kind()).put("up", l.up());
    }

    static ObjectNode registration(ObjectMapper json, SessionTable.Registration r) {
        return json.createObjectNode().put("addressOfRecord", r.addressOfRecord()).put("contact", r.contact())
                .put("expiresAt", r.expiresAt().toString());
    }

    static ObjectNode subscription(ObjectMapper json, SessionTable.Subscription s) {
        ObjectNode n = json.createObjectNode().put("user", s.user()).put("contact", s.contact())
                .put("outbound", s.outbound()).put("inbound", s.inbound());
        text(n, "subscriberCallId", s.subscriberCallId());
        instant(n, "subscriberExpiry", s.subscriberExpiry());
        text(n, "notifierCallId", s.notifierCallId());
        instant(n, "notifierExpiry", s.notifierExpiry());
        if (!s.owner().isEmpty()) {
            n.put("owner", s.owner());
        }
        return n;
    }

    static ObjectNode conversation(ObjectMapper json, Router.Conversation c) {
        return json.createObjectNode().put("thread", c.thread()).put("xmppParty", c.xmppParty())
                .put("sipParty", c.sipParty()).put("messages", c.messages())
                .put("lastActivity", c.lastActivity().toString());
    }

    static ObjectNode inFlight(ObjectMapper json, Router.InFlight m) {
        return json.createObjectNode().put("stanzaId", m.stanzaId()).put("callId", m.callId())
                .put("sender", m.sender()).put("recipient", m.recipient()).put("since", m.since().toString());
    }

    static ObjectNode error(ObjectMapper json, RecentErrors.Entry e) {
        ObjectNode n = json.createObjectNode().put("id", e.id()).put("time", e.time().toString())
                .put("direction", e.directionTag());
        text(n, "callId", e.callId());
        text(n, "stanzaId", e.stanzaId());
        n.put("peer", e.peer());
        e.condition().ifPresent(c -> n.put("condition", c.elementName()));
        e.status().ifPresent(s -> n.put("status", s));
        return n.put("text", e.text());
    }

    private static void text(ObjectNode n, String field, Optional<String> value) {
        value.ifPresent(v -> n.put(field, v));
    }

    private static void instant(ObjectNode n, String field, Optional<Instant> value) {
        value.ifPresent(v -> n.put(field, v.toString()));
    }
}
