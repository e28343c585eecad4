package org.isthmus.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.isthmus.gateway.SessionTable;
import org.isthmus.gateway.metrics.GatewayMeters;
import org.isthmus.gateway.metrics.RecentErrors;
import org.isthmus.gateway.routing.AddressReport;
import org.isthmus.gateway.routing.TestIm;
import org.isthmus.mapping.address.AddressRules;

/**
 * What the admin API serves, read from the running gateway on each request:
 * <ul>
 *   <li>{@code /health}: 200 {@code {"status":"ready"}} when every XMPP link is up and the SIP edge
 *       listens, else 503 with the reasons;</li>
 *   <li>{@code /metrics}: every meter in the Prometheus text format;</li>
 *   <li>{@code /api/links}, {@code /api/registrations}, {@code /api/subscriptions?address=…},
 *       {@code /api/conversations}, {@code /api/in-flight}: the {@link SessionTable} as JSON,
 *       {@code {"total": n, "items": [...]}} with at most {@code limit} items (default
 *       {@value #DEFAULT_ITEMS}, at most {@value #MAX_ITEMS});</li>
 *   <li>{@code /api/errors}: the last errors, newest first, in the same list form;</li>
 *   <li>{@code /api/status}: one summary for the status page: health, links, the message counters by
 *       direction and outcome, the subscription gauges, the sizes of the session views;</li>
 *   <li>{@code /api/translate?address=…}: what an address maps to and by which rule
 *       ({@link AddressReport});</li>
 *   <li>{@code /} and {@code /status}: the status page, plain HTML with {@code /status.js} and
 *       {@code /status.css}. These hold no data (the page reads everything above through the API
 *       with the token), so they are served without the token: a browser cannot add a bearer token to
 *       a page it navigates to.</li>
 *   <li>{@code POST /api/test-im} with {@code {"from": …, "to": …, "body": …, "timeout": seconds}}:
 *       sends one message across the gateway ({@link TestIm}) and answers, once the far end has,
 *       {@code {"result": …, "direction": …, "hops": [{"step", "ok", "detail"}, …]}}; 403 unless
 *       {@code admin.test-im} is on (which needs a token).</li>
 * </ul>
 * Unknown paths get 404, unknown or repeated query parameters 400.
 */
public final class AdminEndpoints implements AdminServer.Endpoints {

    /** Where test messages are asked for. */
    static final String TEST_IM = "/api/test-im";
    /** The time a test message waits for the far end unless the request says otherwise. */
    static final int DEFAULT_TEST_TIMEOUT_SECONDS = 10;
    /** The longest a test message may wait: less than the server's idle timeout, so the answer still arrives. */
    static final int MAX_TEST_TIMEOUT_SECONDS = 25;

    /** Items in a list answer unless {@code limit} asks for another number. */
    static final int DEFAULT_ITEMS = 1000;
    /** The most items one answer holds, so a large table never becomes one huge response. */
    static final int MAX_ITEMS = 10_000;

    /** The Prometheus text exposition format, version 0.0.4. */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final SessionTable sessions;
    private final BooleanSupplier sipListening;
    private final PrometheusMeterRegistry registry;
    private final RecentErrors errors;
    private final AddressRules addresses;
    private final Instant startedAt = Instant.now();
    private final Optional<TestIm> testIm;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, AdminResponse> pages;

    /**
     * @param sessions     the gateway's session table
     * @param sipListening whether the SIP edge listens now
     * @param registry     the meters scraped at {@code /metrics}
     * @param errors       the last errors
     * @param addresses    the address rules {@code /api/translate} applies
     */
    public AdminEndpoints(SessionTable sessions, BooleanSupplier sipListening, PrometheusMeterRegistry registry,
                          RecentErrors errors, AddressRules addresses) {
        this(sessions, sipListening, registry, errors, addresses, Optional.empty());
    }

    /**
     * @param testIm what sends test messages, when {@code admin.test-im} allows them; without it
     *               {@code POST /api/test-im} is refused
     * @see #AdminEndpoints(SessionTable, BooleanSupplier, PrometheusMeterRegistry, RecentErrors, AddressRules)
     */
    public AdminEndpoints(SessionTable sessions, BooleanSupplier sipListening, PrometheusMeterRegistry registry,
                          RecentErrors errors, AddressRules addresses, Optional<TestIm> testIm) {
        this.testIm = Objects.requireNonNull(testIm, "testIm");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.sipListening = Objects.requireNonNull(sipListening, "sipListening");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.errors = Objects.requireNonNull(errors, "errors");
        this.addresses = Objects.requireNonNull(addresses, "addresses");
        Map<String, AdminResponse> p = new LinkedHashMap<>();
        AdminResponse page = resource("status.html", "text/html; charset=utf-8")
                .withHeader("Content-Security-Policy", STATUS_PAGE_POLICY);
        p.put("/status", page);
        p.put("/status.js", resource("status.js", "text/javascript; charset=utf-8"));
        p.put("/status.css", resource("status.css", "text/css; charset=utf-8"));
        this.pages = Map.copyOf(p);
    }

    /**
     * What the status page may load (W3C CSP Level 3): its own script and style only, data only from
     * this origin, no frames around it, so that text from a peer shown on it can never run.
     */
    static final String STATUS_PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** The paths served without the token: the status page's own files, which hold no data. */
    @Override
    public boolean isPublic(String path) {
        return path.equals("/") || pages.containsKey(path);
    }

    @Override
    public CompletionStage<AdminResponse> post(String path, String body) {
        if (!path.equals(TEST_IM)) {
            return CompletableFuture.completedFuture(get(path, Map.of()).status() == 404
                    ? AdminResponse.error(404, "no such resource; POST goes to " + TEST_IM)
                    : AdminResponse.error(405, "this resource is read-only; use GET").withHeader("Allow", "GET"));
        }
        if (testIm.isEmpty()) {
            return CompletableFuture.completedFuture(AdminResponse.error(403, "test-im is off; to allow it, set "
                    + "admin.test-im: true (it needs admin.token) and restart the gateway"));
        }
        JsonNode request;
        try {
            request = json.readTree(body);
        } catch (JsonProcessingException e) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "the body must be a JSON object such as "
                    + "{\"from\": \"alice@xmpp.test\", \"to\": \"sip:bob@sip.test\"}"));
        }
        if (request == null || !request.isObject()) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "the body must be a JSON object"));
        }
        Set<String> known = Set.of("from", "to", "body", "timeout");
        for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
            if (!known.contains(names.next())) {
                return CompletableFuture.completedFuture(AdminResponse.error(400, "unknown field; allowed: body, "
                        + "from, timeout, to"));
            }
        }
        JsonNode from = request.path("from");
        JsonNode to = request.path("to");
        JsonNode text = request.path("body");
        JsonNode timeout = request.path("timeout");
        if (!from.isTextual() || !to.isTextual() || !(text.isMissingNode() || text.isTextual())
                || !(timeout.isMissingNode() || timeout.canConvertToExactIntegral())) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "from and to are required strings, body "
                    + "an optional string, timeout an optional number of seconds"));
        }
        int seconds = timeout.isMissingNode() ? DEFAULT_TEST_TIMEOUT_SECONDS : timeout.asInt();
        if (seconds < 1 || seconds > MAX_TEST_TIMEOUT_SECONDS) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, "timeout must be 1 to "
                    + MAX_TEST_TIMEOUT_SECONDS + " seconds"));
        }
        CompletionStage<TestIm.Report> report;
        try {
            report = testIm.get().send(from.asText(), to.asText(),
                    text.isMissingNode() ? "isthmus test-im " + Instant.now() : text.asText(), Duration.ofSeconds(seconds));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(AdminResponse.error(400, e.getMessage()));
        }
        return report.thenApply(r -> {
            ObjectNode out = json.createObjectNode().put("result", r.result().wireName()).put("direction", r.direction());
            ArrayNode hops = out.putArray("hops");
            for (TestIm.Hop h : r.hops()) {
                hops.addObject().put("step", h.step()).put("ok", h.ok()).put("detail", h.detail());
            }
            return AdminResponse.json(200, write(out));
        });
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
            case "/api/errors" -> list(query, Set.of(), q -> errors.newestFirst(), SessionJson::error);
            case "/api/status" -> only(query, Set.of(), q -> AdminResponse.json(200, write(status())));
            case "/api/translate" -> only(query, Set.of("address"), this::translate);
            case TEST_IM -> AdminResponse.error(405, "send a test message with POST").withHeader("Allow", "POST");
            case "/" -> new AdminResponse(302, AdminResponse.JSON, "{}", Map.of("Location", "/status"));
            default -> pages.containsKey(path) ? only(query, Set.of(), q -> pages.get(path))
                    : AdminResponse.error(404, "no such resource; try /status, /health, /metrics or /api/links");
        };
    }

    private AdminResponse translate(Map<String, String> query) {
        String address = query.getOrDefault("address", "").strip();
        if (address.isEmpty()) {
            return AdminResponse.error(400, "give the address to translate: /api/translate?address=sip:bob@sip.example");
        }
        AddressReport report = AddressReport.of(addresses, address);
        ObjectNode body = json.createObjectNode().put("address", report.address())
                .put("verdict", report.verdict().name().toLowerCase(Locale.ROOT));
        report.normalized().ifPresent(n -> body.put("normalized", n));
        report.problem().ifPresent(p -> body.put("problem", p));
        ArrayNode rows = body.putArray("rows");
        for (AddressReport.Row row : report.rows()) {
            rows.addObject().put("label", row.label()).put("value", row.value());
        }
        return AdminResponse.json(200, write(body));
    }

    /** The summary the status page shows; every figure is also in {@code /metrics} or a list resource. */
    private ObjectNode status() {
        ObjectNode body = json.createObjectNode();
        String version = AdminEndpoints.class.getPackage().getImplementationVersion();
        body.put("version", version == null ? "development build" : version);
        body.put("startedAt", startedAt.toString());
        body.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        List<String> reasons = notReady();
        ObjectNode health = body.putObject("health").put("status", reasons.isEmpty() ? "ready" : "unavailable");
        reasons.forEach(health.putArray("reasons")::add);
        body.put("sipListening", sipListening.getAsBoolean());
        ArrayNode links = body.putArray("links");
        sessions.links().forEach(l -> links.add(SessionJson.link(json, l)));
        ObjectNode messages = body.putObject("messages");
        for (GatewayMeters.Direction d : GatewayMeters.Direction.values()) {
            ObjectNode byOutcome = messages.putObject(tag(d));
            for (GatewayMeters.Outcome o : GatewayMeters.Outcome.values()) {
                byOutcome.put(tag(o), 0);
            }
        }
        for (Counter c : registry.find(GatewayMeters.MESSAGES).counters()) {
            ObjectNode byOutcome = (ObjectNode) messages.get(c.getId().getTag("direction"));
            String outcome = c.getId().getTag("outcome");
            if (byOutcome != null && outcome != null && byOutcome.has(outcome)) {
                byOutcome.put(outcome, byOutcome.get(outcome).asLong() + (long) c.count());
            }
        }
        ObjectNode subscriptions = body.putObject("subscriptions");
        for (Gauge g : registry.find(GatewayMeters.SUBSCRIPTIONS).gauges()) {
            String direction = g.getId().getTag("direction");
            ObjectNode byState = subscriptions.has(direction) ? (ObjectNode) subscriptions.get(direction)
                    : subscriptions.putObject(direction);
            byState.put(g.getId().getTag("state"), (long) g.value());
        }
        ObjectNode held = body.putObject("held");
        held.put("registrations", sessions.registrations().size());
        held.put("subscriptions", sessions.subscriptions("").size());
        held.put("conversations", sessions.conversations().size());
        held.put("inFlight", sessions.inFlight().size());
        ObjectNode errorCounts = body.putObject("errors");
        errorCounts.put("sinceStart", errors.count());
        errorCounts.put("kept", errors.capacity());
        return body;
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** A file of the status page, read once from the class path (this package's resources). */
    private static AdminResponse resource(String name, String contentType) {
        try (InputStream in = AdminEndpoints.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the status page's " + name + " is missing from the jar");
            }
            return new AdminResponse(200, contentType, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the status page's " + name, e);
        }
    }

    private AdminResponse health() {
        List<String> reasons = notReady();
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

    /** Why the gateway is not ready; empty when it is. */
    private List<String> notReady() {
        List<String> reasons = new ArrayList<>();
        for (SessionTable.Link link : sessions.links()) {
            if (!link.up()) {
                reasons.add("XMPP " + link.kind() + " link " + link.domain() + " is down");
            }
        }
        if (!sipListening.getAsBoolean()) {
            reasons.add("the SIP edge is not listening");
        }
        return reasons;
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
