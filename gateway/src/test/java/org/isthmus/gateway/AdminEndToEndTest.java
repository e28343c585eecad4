package org.isthmus.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.sip.header.CallIdHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.isthmus.gateway.config.GatewayConfig;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.xmpp.stream.XmlElement;
import org.isthmus.xmpp.testing.ComponentServer;

/**
 * The admin API of a real gateway on loopback, over real sockets: Java's HTTP client for what a
 * well-behaved client sends, a plain socket for what it would refuse to send. A JAIN-SIP phone and a
 * test XMPP server move the figures the API reports.
 */
class AdminEndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "e2e-secret";
    private static final String TOKEN = "k3y-for-the-admin-api-0123456789";
    private static final String CONTACT = "bob\\40routed.test@sip.xmpp.test";

    @TempDir
    Path data;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private ComponentServer xmpp;
    private TestUserAgent phone;
    private Gateway gateway;
    private int sipPort;
    private InetSocketAddress admin;

    @BeforeEach
    void peers() {
        xmpp = ComponentServer.start("sip.xmpp.test", SECRET);
        phone = TestUserAgent.start("127.0.0.1");
        sipPort = TestUserAgent.freePort("127.0.0.1");
    }

    @AfterEach
    void stop() {
        EndToEnd.closeAll(gateway, phone, xmpp);
    }

    private void startGateway() {
        GatewayConfig config = GatewayConfig.parse("admin-e2e", """
                xmpp:
                  component: {host: 127.0.0.1, port: %d, domain: sip.xmpp.test, secret: %s,
                              reconnect: {initial: 100ms, max: 300ms}}
                  domains: [xmpp.test]
                sip:
                  listen: {address: 127.0.0.1, port: %d}
                  registrar: {domains: [sip.test]}
                  routes:
                    - {domain: routed.test, host: 127.0.0.1, port: %d, transport: udp}
                messages:
                  error-window: 1s
                store: {type: embedded, data-dir: "%s"}
                admin: {address: 127.0.0.1, port: 0, token: %s}
                """.formatted(xmpp.port(), SECRET, sipPort, phone.port(), data.toString().replace("\\", "/"), TOKEN),
                name -> null);
        gateway = new Gateway(config);
        gateway.start();
        admin = gateway.adminAddress().orElseThrow();
    }

    private void startConnected() {
        startGateway();
        xmpp.awaitConnected(WAIT);
        EndToEnd.awaitXmppUp(gateway, true);
    }

    // ---- Health ------------------------------------------------------------------------------------

    @Test
    void healthIsUnavailableWithTheReasonUntilTheComponentLinkIsUp() throws Exception {
        xmpp.setSecret("not-the-gateway's-secret");
        startGateway();
        xmpp.awaitRejectedHandshakes(1, WAIT);

        HttpResponse<String> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode why = json.readTree(down.body());
        assertThat(why.get("status").asText()).isEqualTo("unavailable");
        assertThat(why.get("reasons")).hasSize(1);
        assertThat(why.get("reasons").get(0).asText()).isEqualTo("XMPP component link sip.xmpp.test is down");
        assertThat(down.headers().firstValue("Content-Type")).contains("application/json");

        xmpp.setSecret(SECRET);
        xmpp.awaitConnected(WAIT);
        HttpResponse<String> up = awaitGet("/health", r -> r.statusCode() == 200);
        assertThat(up.body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(sample(get("/metrics").body(), "isthmus_xmpp_link_up",
                Map.of("domain", "sip.xmpp.test", "kind", "component"))).isEqualTo(1.0);
    }

    // ---- Metrics -----------------------------------------------------------------------------------

    @Test
    void metricsShowTheMessageCounterMovingWhenAMessageCrosses() throws Exception {
        startConnected();
        Map<String, String> accepted = Map.of("direction", "sip_to_xmpp", "outcome", "accepted", "reason", "202");
        Map<String, String> timed = Map.of("direction", "sip_to_xmpp", "kind", "message");
        HttpResponse<String> before = get("/metrics");
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(before.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(sample(before.body(), "isthmus_sip_up", Map.of())).isEqualTo(1.0);
        assertThat(sample(before.body(), "isthmus_messages_total", accepted)).isZero();

        Response answer = phone.send(EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test",
                "text/plain;charset=UTF-8", "counted".getBytes(StandardCharsets.UTF_8)), WAIT);
        assertThat(answer.getStatusCode()).isEqualTo(202);
        assertThat(xmpp.takeElement(WAIT).name()).isEqualTo("message");

        String after = get("/metrics").body();
        assertThat(sample(after, "isthmus_messages_total", accepted)).isEqualTo(1.0);
        assertThat(sample(after, "isthmus_translate_seconds_count", timed)).isEqualTo(1.0);
        // Answered over UDP, the MESSAGE's transaction stays for Timer J (RFC 3261 §17.2.2); none refused.
        assertThat(sample(after, "isthmus_sip_message_transactions", Map.of())).isEqualTo(1.0);
        assertThat(sample(after, "isthmus_sip_message_transactions_refused_total", Map.of())).isZero();
        // The translation histogram has its buckets.
        assertThat(after).contains("isthmus_translate_seconds_bucket{direction=\"sip_to_xmpp\",kind=\"message\",le=");

        // An XMPP message to a SIP domain with no route is refused with the RFC 7247 condition.
        xmpp.send("<message from='alice@xmpp.test/pc' to='carol\\40nowhere.test@sip.xmpp.test' id='m1'>"
                + "<body>hi</body></message>");
        assertThat(xmpp.takeElement(WAIT).attribute("type")).contains("error");
        assertThat(sample(get("/metrics").body(), "isthmus_messages_total", Map.of("direction", "xmpp_to_sip",
                "outcome", "refused", "reason", "remote-server-not-found"))).isEqualTo(1.0);
    }

    // ---- The session views -------------------------------------------------------------------------

    @Test
    void aSipWatcherAppearsInSubscriptionsAndInTheGauges() throws Exception {
        startConnected();
        phone.answerWith(200, "OK");
        Request subscribe = phone.request(Request.SUBSCRIBE, "sip:alice@xmpp.test", "<sip:bob@routed.test>",
                "<sip:alice@xmpp.test>");
        phone.with(subscribe, "Event", "presence");
        phone.with(subscribe, "Accept", "application/pidf+xml");
        phone.with(subscribe, "Expires", "600");
        phone.with(subscribe, "Contact", "<sip:bob@127.0.0.1:" + phone.port() + ">");
        phone.with(subscribe, "Route", "<sip:127.0.0.1:" + sipPort + ";lr>");
        assertThat(phone.send(subscribe, WAIT).getStatusCode()).isEqualTo(200);
        String callId = ((CallIdHeader) subscribe.getHeader(CallIdHeader.NAME)).getCallId();

        JsonNode found = json.readTree(get("/api/subscriptions?address=bob@routed.test").body());
        assertThat(found.get("total").asInt()).isEqualTo(1);
        JsonNode pair = found.get("items").get(0);
        assertThat(pair.get("user").asText()).isEqualTo("alice@xmpp.test");
        assertThat(pair.get("contact").asText()).isEqualTo("sip:bob@routed.test");
        assertThat(pair.get("inbound").asText()).isEqualTo("PENDING/PENDING");
        assertThat(pair.get("notifierCallId").asText()).isEqualTo(callId);
        assertThat(Instant.parse(pair.get("notifierExpiry").asText())).isAfter(Instant.now());
        // Optionals that are empty are absent, not null.
        assertThat(pair.has("subscriberCallId")).isFalse();
        assertThat(pair.has("owner")).isFalse();
        assertThat(json.readTree(get("/api/subscriptions?address=nobody@routed.test").body()).get("total").asInt())
                .isZero();

        String metrics = get("/metrics").body();
        assertThat(sample(metrics, "isthmus_presence_subscriptions", Map.of("direction", "sip_to_xmpp",
                "state", "pending"))).isEqualTo(1.0);
        assertThat(sample(metrics, "isthmus_presence_dialogs", Map.of("role", "notifier", "state", "pending")))
                .isEqualTo(1.0);
        // The pair was written to the store before the SUBSCRIBE was answered.
        assertThat(sample(metrics, "isthmus_store_operations_seconds_count", Map.of("operation", "put_if_version",
                "outcome", "ok"))).isGreaterThanOrEqualTo(1.0);

        // The user approves: the watcher's NOTIFY goes out, and the pair is granted.
        xmpp.send("<presence type='subscribed' from='alice@xmpp.test' to='" + CONTACT + "'/>");
        awaitGet("/api/subscriptions?address=alice", r -> r.body().contains("GRANTED/ACTIVE"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sample(get("/metrics").body(), "isthmus_presence_sent_total",
                Map.of("kind", "notify", "outcome", "ok")) < 1.0) {
            assertThat(System.nanoTime()).as("the active NOTIFY counted").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void linksRegistrationsMessagesInFlightAndConversationsAreJson() throws Exception {
        startConnected();
        JsonNode links = json.readTree(get("/api/links").body());
        assertThat(links.get("total").asInt()).isEqualTo(1);
        assertThat(links.get("items").get(0).toString())
                .isEqualTo("{\"domain\":\"sip.xmpp.test\",\"kind\":\"component\",\"up\":true}");

        EndToEnd.register(phone, sipPort, "bob");
        JsonNode registrations = json.readTree(get("/api/registrations").body());
        assertThat(registrations.get("items").get(0).get("addressOfRecord").asText()).isEqualTo("sip:bob@sip.test");
        assertThat(registrations.get("items").get(0).get("contact").asText()).startsWith("sip:bob@127.0.0.1:");
        assertThat(Instant.parse(registrations.get("items").get(0).get("expiresAt").asText())).isAfter(Instant.now());

        Request message = EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test", "text/plain",
                "in flight".getBytes(StandardCharsets.UTF_8));
        String callId = ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> phone.send(message, WAIT));
        XmlElement stanza = xmpp.takeElement(WAIT);
        // Within the one-second error window the message waits for its final response.
        JsonNode inFlight = json.readTree(get("/api/in-flight").body()).get("items").get(0);
        assertThat(inFlight.get("callId").asText()).isEqualTo(callId);
        assertThat(inFlight.get("stanzaId").asText()).isEqualTo(stanza.attribute("id").orElseThrow());
        assertThat(inFlight.get("sender").asText()).isEqualTo("sip:bob@sip.test");
        assertThat(inFlight.get("recipient").asText()).isEqualTo("alice@xmpp.test");
        Instant.parse(inFlight.get("since").asText());
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(202);
        assertThat(json.readTree(get("/api/in-flight").body()).get("total").asInt()).isZero();

        JsonNode conversation = json.readTree(get("/api/conversations").body()).get("items").get(0);
        assertThat(conversation.get("xmppParty").asText()).isEqualTo("alice@xmpp.test");
        assertThat(conversation.get("sipParty").asText()).isEqualTo("sip:bob@sip.test");
        assertThat(conversation.get("messages").asLong()).isEqualTo(1);
        assertThat(json.readTree(get("/api/conversations?limit=0").body()).get("items")).isEmpty();
    }

    // ---- The status page and what it reads ------------------------------------------------------------

    @Test
    void theStatusPageFilesNeedNoTokenButItsDataDoes() throws Exception {
        startConnected();
        HttpResponse<String> page = send(request("/status").GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.body()).contains("<script src=\"/status.js\" defer></script>");
        assertThat(send(request("/status.js").GET().build()).headers().firstValue("Content-Type"))
                .contains("text/javascript; charset=utf-8");
        assertThat(send(request("/status.css").GET().build()).statusCode()).isEqualTo(200);
        HttpResponse<String> root = send(request("/").GET().build());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).contains("/status");
        assertThat(send(request("/status?x=1").GET().build()).statusCode()).isEqualTo(400);
        assertThat(send(request("/status").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode())
                .isEqualTo(405);
        for (String data : new String[] {"/api/status", "/api/errors", "/api/translate?address=sip:bob@sip.test"}) {
            assertThat(send(request(data).GET().build()).statusCode()).as(data).isEqualTo(401);
        }
    }

    @Test
    void statusErrorsAndTranslateAnswerWhatHappened() throws Exception {
        startConnected();
        // A MESSAGE the XMPP side answers with an error within the window: RFC 7247 §7.1 note (2) makes
        // item-not-found for a bare JID 604; one error is noted.
        Request message = EndToEnd.messageVia(phone, sipPort, "sip:alice@xmpp.test", "text/plain",
                "secret words".getBytes(StandardCharsets.UTF_8));
        String callId = ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
        CompletableFuture<Response> answer = CompletableFuture.supplyAsync(() -> phone.send(message, WAIT));
        String id = xmpp.takeElement(WAIT).attribute("id").orElseThrow();
        xmpp.send("<message type='error' from='alice@xmpp.test' to='bob\\40sip.test@sip.xmpp.test' id='" + id + "'>"
                + "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatusCode()).isEqualTo(604);

        JsonNode errors = json.readTree(get("/api/errors").body());
        assertThat(errors.get("total").asInt()).isEqualTo(1);
        JsonNode e = errors.get("items").get(0);
        assertThat(e.get("id").asLong()).isEqualTo(1);
        assertThat(e.get("direction").asText()).isEqualTo("sip_to_xmpp");
        assertThat(e.get("callId").asText()).isEqualTo(callId);
        assertThat(e.get("stanzaId").asText()).isEqualTo(id);
        assertThat(e.get("peer").asText()).isEqualTo("sip:bob@sip.test");
        assertThat(e.get("condition").asText()).isEqualTo("item-not-found");
        assertThat(e.get("status").asInt()).isEqualTo(604);
        assertThat(errors.toString()).doesNotContain("secret words");

        JsonNode status = json.readTree(get("/api/status").body());
        assertThat(status.get("health").get("status").asText()).isEqualTo("ready");
        assertThat(status.get("messages").get("sip_to_xmpp").get("failed").asLong()).isEqualTo(1);
        assertThat(status.get("messages").get("xmpp_to_sip").get("delivered").asLong()).isZero();
        assertThat(status.get("errors").get("sinceStart").asLong()).isEqualTo(1);
        assertThat(status.get("links").get(0).get("up").asBoolean()).isTrue();

        JsonNode mapped = json.readTree(get("/api/translate?address=sip:bob@routed.test").body());
        assertThat(mapped.get("verdict").asText()).isEqualTo("maps");
        assertThat(mapped.get("normalized").asText()).isEqualTo("sip:bob@routed.test");
        assertThat(mapped.get("rows").get(0).get("label").asText()).isEqualTo("rule");
        assertThat(mapped.toString()).contains("bob\\\\40routed.test@sip.xmpp.test");
        JsonNode refused = json.readTree(get("/api/translate?address=eve@elsewhere.example").body());
        assertThat(refused.get("verdict").asText()).isEqualTo("refused");
        JsonNode invalid = json.readTree(get("/api/translate?address=a@b@c").body());
        assertThat(invalid.get("verdict").asText()).isEqualTo("invalid");
        assertThat(invalid.get("problem").asText()).startsWith("is not a valid JID");
        assertThat(get("/api/translate").statusCode()).isEqualTo(400);
    }

    // ---- Token, methods, paths, bounds --------------------------------------------------------------

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        startConnected();
        HttpResponse<String> none = send(request("/health").GET().build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"isthmus\"");
        HttpResponse<String> wrong = send(request("/metrics")
                .header("Authorization", "Bearer " + TOKEN.replace('k', 'K')).GET().build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain("isthmus_");
        HttpResponse<String> basic = send(request("/api/links")
                .header("Authorization", "Basic " + TOKEN).GET().build());
        assertThat(basic.statusCode()).isEqualTo(401);
        // RFC 7235 §2.1: the scheme is case-insensitive.
        assertThat(send(request("/health").header("Authorization", "bearer " + TOKEN).GET()
                .build()).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyGetOfAKnownPathWithKnownParametersIsAnswered() throws Exception {
        startConnected();
        assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
        assertThat(get("/api/links/").statusCode()).isEqualTo(404);

        HttpResponse<String> post = send(request("/api/links").header("Authorization", bearer())
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET");
        assertThat(send(request("/health").header("Authorization", bearer()).DELETE().build())
                .statusCode()).isEqualTo(405);

        assertThat(get("/api/links?colour=blue").statusCode()).isEqualTo(400);
        assertThat(get("/health?verbose=1").statusCode()).isEqualTo(400);
        assertThat(get("/api/subscriptions?address=a&address=b").statusCode()).isEqualTo(400);
        assertThat(get("/api/registrations?limit=lots").statusCode()).isEqualTo(400);
        assertThat(get("/api/registrations?limit=10001").statusCode()).isEqualTo(400);

        // What Java's client will not send: a bad escape, a request line that is no request line.
        assertThat(raw("GET /api/subscriptions?address=%zz HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer()
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("HELLO\r\n\r\n")).contains(" 400 ");
        assertThat(raw("GET http://elsewhere/health HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer()
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void anOversizedRequestIsRefused() throws Exception {
        startConnected();
        String longPath = "/api/subscriptions?address=" + "a".repeat(5000);
        assertThat(raw("GET " + longPath + " HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 414 ");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + "p".repeat(9000) + "\r\n\r\n"))
                .startsWith("HTTP/1.1 431 ");
        assertThat(raw("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\nConnection: close\r\n\r\n"
                + "b".repeat(9000))).startsWith("HTTP/1.1 413 ");
        // The server is still there for the next request.
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    // ---- Helpers -----------------------------------------------------------------------------------

    private static String bearer() {
        return "Bearer " + TOKEN;
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + admin.getPort() + pathAndQuery);
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(WAIT);
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).header("Authorization", bearer()).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** GETs {@code path} until {@code done} holds for the answer, at most {@link #WAIT}. */
    private HttpResponse<String> awaitGet(String path, Predicate<HttpResponse<String>> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> r = get(path);
            if (done.test(r)) {
                return r;
            }
            assertThat(System.nanoTime()).as("GET %s: last answer %s %s", path, r.statusCode(), r.body())
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Sends {@code request} as it is on a new connection and returns all the server answers before it closes. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(admin, (int) WAIT.toMillis());
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) > 0; ) {
                answer.write(buffer, 0, n);
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** The value of the sample of {@code name} whose labels include {@code labels}; 0 when there is none. */
    static double sample(String metrics, String name, Map<String, String> labels) {
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            int open = line.indexOf('{');
            int close = line.lastIndexOf('}');
            if (open > 0 && close > open) {
                for (String pair : line.substring(open + 1, close).split(",")) {
                    int eq = pair.indexOf('=');
                    found.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
