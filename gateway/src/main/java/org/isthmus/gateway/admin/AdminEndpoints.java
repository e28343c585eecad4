package org.isthmus.gateway.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.isthmus.gateway.SessionTable;

/**
 * What the admin API serves, read from the running gateway on each request:
 * <ul>
 *   <li>{@code /health}: 200 {@code {"status":"ready"}} when every XMPP link is up and the SIP edge
 *       listens, else 503 with the reasons;</li>
 *   <li>{@code /metrics}: every meter in the Prometheus text format;</li>
 *   <li>{@code /api/links}, {@code /api/registrations}, {@code /api/subscriptions?address=…},
 *       {@code /api/conversations}, {@code /api/in-flight}: the {@link SessionTable} as JSON,
 *       {@code {"total": n, "items": [...]}} with at most {@code limit} items (default
 *       {@value #DEFAULT_ITEMS}, at most {@value #MAX_ITEMS}).</li>
 * </ul>
 * Unknown paths get 404, unknown or repeated query parameters 400.
 */
public final class AdminEndpoints implements AdminServer.Endpoints {

    /** Items in a list answer unless {@code limit} asks for another number. */
    static final int DEFAULT_ITEMS = 1000;
    /** The most items one answer holds, so a large table never becomes one huge response. */
    static final int MAX_ITEMS = 10_000;

    /** The Prometheus text exposition format, version 0.0.4. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final SessionTable sessions;
    private final BooleanSupplier sipListening;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param sessions     the gateway's session table
     * @param sipListening whether the SIP edge listens now
     * @param registry     the meters scraped at {@code /metrics}
     */
    public AdminEndpoints(SessionTable sessions, BooleanSupplier sipListening, PrometheusMeterRegistry registry) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.sipListening = Objects.requireNonNull(sipListening, "sipListening");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public AdminResponse get(String path, Map<String, List<String>> query) {
        return switch (path) {
            case "/health" -> only(query, Set.of(), q -> health());
            case "/metrics" -> only(query, Set.of(), q -> new AdminResponse(200, PROMETHEUS_TEXT, registry.scrape(),
                    Map.of()));
            case "/api/links" -> list(query, Set.of(), q -> sessions.links(), SessionJson::link);
            case "/api/registrations" -> list(query, Set.of(), q -> sessions.registrations(), SessionJson::registration);
            case "/api/subscriptions" -> list(query, Set.of("address"),
                    q -> sessions.subscriptions(q.getOrDefault("address", "")), SessionJson::subscription);
            case "/api/conversations" -> list(query, Set.of(), q -> sessions.conversations(), SessionJson::conversation);
            case "/api/in-flight" -> list(query, Set.of(), q -> sessions.inFlight(), SessionJson::inFlight);
            default -> AdminResponse.error(404, "no such resource; try /health, /metrics or /api/links");
        };
    }

    private AdminResponse health() {
        List<String> reasons = new ArrayList<>();
        for (SessionTable.Link link : sessions.links()) {
            if (!link.up()) {
                reasons.add("XMPP " + link.kind() + " link " + link.domain() + " is down");
            }
        }
        if (!sipListening.getAsBoolean()) {
            reasons.add("the SIP edge is not listening");
        }
        ObjectNode body = json.createObjectNode();
        if (reasons.isEmpty()) {
            body.put("status", "ready");
            return AdminResponse.json(200, write(body));
        }
        body.put("status", "unavailable");
        ArrayNode why = body.putArray("reasons");
        reasons.forEach(why::add);
        return AdminResponse.json(503, write(body));
    }

    /** A list answer: the total and the first {@code limit} items. */
    private <T> AdminResponse list(Map<String, List<String>> query, Set<String> allowed,
                                   Function<Map<String, String>, List<T>> items,
                                   BiFunction<ObjectMapper, T, ObjectNode> render) {
        Set<String> withLimit = new HashSet<>(allowed);
        withLimit.add("limit");
        return only(query, withLimit, q -> {
            int limit = DEFAULT_ITEMS;
            if (q.containsKey("limit")) {
                try {
                    limit = Integer.parseInt(q.get("limit"));
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 0 || limit > MAX_ITEMS) {
                    return AdminResponse.error(400, "limit must be a number from 0 to " + MAX_ITEMS);
                }
            }
            List<T> all = items.apply(q);
            ObjectNode body = json.createObjectNode();
            body.put("total", all.size());
            ArrayNode out = body.putArray("items");
            for (T item : all.subList(0, Math.min(limit, all.size()))) {
                out.add(render.apply(json, item));
            }
            return AdminResponse.json(200, write(body));
        });
    }

    /** Runs {@code then} with the single value of each parameter, after refusing any other or repeated one. */
    private static AdminResponse only(Map<String, List<String>> query, Set<String> allowed,
                                      Function<Map<String, String>, AdminResponse> then) {
        Map<String, String> single = new HashMap<>();
        for (Map.Entry<String, List<String>> p : query.entrySet()) {
            if (!allowed.contains(p.getKey())) {
                return AdminResponse.error(400, allowed.isEmpty() ? "this resource takes no query parameters"
                        : "unknown query parameter; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
            if (p.getValue().size() != 1) {
                return AdminResponse.error(400, "give each query parameter once");
            }
            single.put(p.getKey(), p.getValue().get(0));
        }
        return then.apply(single);
    }

    private String write(ObjectNode body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            // A tree of strings, numbers and booleans always serializes.
            throw new IllegalStateException(e);
        }
    }
}
