package org.isthmus.gateway.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import org.isthmus.gateway.EndToEnd;
import org.isthmus.gateway.Gateway;

/**
 * The status page in a real browser: Isthmus attached to Prosody as its component, messages crossing
 * both ways (SIPp on the SIP side, a slixmpp client as alice@xmpp.test), some of them failing, then
 * the page loaded in Debian's headless Chromium. The figures and the last errors in the rendered DOM
 * must be the JSON API's, the lookup must show what {@code /api/translate} and
 * {@code /api/subscriptions} say, and a screenshot is kept in {@code target/status-page/}.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StatusPageInteropTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "status-page-token-0123456789";
    private static final Path OUTPUT = Path.of("target", "status-page");
    private static final Pattern ERROR_ROW = Pattern.compile("<tr id=\"error-(\\d+)\">(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern CELL = Pattern.compile("<td[^>]*>(.*?)</td>", Pattern.DOTALL);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private ProsodyServer prosody;
    private Gateway gateway;
    private XmppClientProcess alice;
    private int sipPort;
    private String base;

    @BeforeAll
    void start() {
        Peers.assumeInstalled("prosody", "sipp", "chromium");
        Peers.assumePythonModule("slixmpp");
        prosody = ProsodyServer.start();
        sipPort = Peers.freePort();
        gateway = ProsodyGateway.start(prosody, sipPort, "", "  registrar: {domains: [sip.test]}\n",
                "messages: {error-window: 500ms}\nadmin: {address: 127.0.0.1, port: 0, token: " + TOKEN + "}\n", WAIT);
        base = "http://127.0.0.1:" + gateway.adminAddress().orElseThrow().getPort();
        alice = prosody.login("alice");

        // Two messages reach alice; one goes to a user Prosody does not have and fails with 403.
        for (String text : List.of("first", "second")) {
            Sipp.Result sent = sendFromSip("sip:alice@xmpp.test", text);
            assertThat(sent.finalStatus()).as(sent.diagnostics()).hasValue(202);
            assertThat(alice.nextMessage(WAIT).path("body").asText()).isEqualTo(text + "\n");
        }
        assertThat(sendFromSip("sip:nobody@xmpp.test", "anyone?").finalStatus()).hasValue(403);
        // alice writes to a SIP user who is not registered: refused with recipient-unavailable.
        alice.send("carol\\40sip.test@sip.xmpp.test", "hello carol");
        assertThat(alice.nextMessage(WAIT).path("error").path("condition").asText()).isEqualTo("recipient-unavailable");
    }

    @AfterAll
    void stop() {
        EndToEnd.closeAll(alice, gateway, prosody);
    }

    private Sipp.Result sendFromSip(String to, String body) {
        return Sipp.scenario("uac_message.xml").withRemote(sipPort).withKey("from_uri", "sip:bob@sip.test")
                .withKey("to_uri", to).withInjection(body).run();
    }

    @Test
    void theRenderedFiguresAreTheApisAndTheLastErrorsCarryTheirIds() throws Exception {
        JsonNode status = api("/api/status");
        JsonNode errors = api("/api/errors");
        String metrics = get("/metrics", true).body();
        String dom = HeadlessChromium.dumpDom(base + "/status#token=" + TOKEN);
        Files.createDirectories(OUTPUT);
        Files.writeString(OUTPUT.resolve("status.html"), dom);

        assertThat(attribute(dom, "body", "data-loaded")).as("the page loaded its figures").isPresent();
        assertThat(text(dom, "health")).isEqualTo("ready").isEqualTo(status.path("health").path("status").asText());
        // The figures the API gives, the page shows, and /metrics agrees.
        assertThat(status.path("messages").path("sip_to_xmpp").path("accepted").asLong()).isEqualTo(2);
        assertThat(status.path("messages").path("sip_to_xmpp").path("failed").asLong()).isEqualTo(1);
        assertThat(status.path("messages").path("xmpp_to_sip").path("refused").asLong()).isEqualTo(1);
        for (String direction : List.of("sip_to_xmpp", "xmpp_to_sip")) {
            for (String outcome : List.of("accepted", "delivered", "refused", "failed")) {
                long api = status.path("messages").path(direction).path(outcome).asLong();
                assertThat(text(dom, "messages-" + direction + "-" + outcome)).as("%s %s", direction, outcome)
                        .isEqualTo(Long.toString(api));
                assertThat(sum(metrics, "isthmus_messages_total", Map.of("direction", direction, "outcome", outcome)))
                        .as("/metrics %s %s", direction, outcome).isEqualTo(api);
            }
        }
        for (String held : List.of("registrations", "subscriptions", "conversations", "inFlight")) {
            assertThat(text(dom, "held-" + held)).isEqualTo(status.path("held").path(held).asText());
        }
        assertThat(text(dom, "errors-sinceStart")).isEqualTo("2");
        assertThat(dom).contains("<td>sip.xmpp.test</td><td>component</td><td class=\"up\">up</td>");

        // Each error the API lists is a row with its id, Call-ID or stanza id, peer, condition and status.
        Map<String, List<String>> rows = errorRows(dom);
        assertThat(errors.path("total").asInt()).isEqualTo(2);
        assertThat(rows).hasSize(2);
        for (JsonNode e : errors.path("items")) {
            List<String> row = rows.get(e.path("id").asText());
            assertThat(row).as("row of error %s", e).isNotNull();
            assertThat(row).containsExactly(e.path("id").asText(), e.path("time").asText(),
                    e.path("direction").asText(), e.path("callId").asText(""), e.path("stanzaId").asText(""),
                    e.path("peer").asText(), e.path("condition").asText(""), e.path("status").asText(""),
                    e.path("text").asText());
        }
        JsonNode failed = errors.path("items").get(1);
        assertThat(failed.path("direction").asText()).isEqualTo("sip_to_xmpp");
        assertThat(failed.path("callId").asText()).isNotEmpty();
        assertThat(failed.path("stanzaId").asText()).startsWith("isth-");
        assertThat(failed.path("status").asInt()).isEqualTo(403);
        JsonNode refused = errors.path("items").get(0);
        assertThat(refused.path("direction").asText()).isEqualTo("xmpp_to_sip");
        assertThat(refused.path("peer").asText()).startsWith("alice@xmpp.test/");
        assertThat(refused.path("condition").asText()).isEqualTo("recipient-unavailable");
        // Bodies stay out of the errors.
        assertThat(errors.toString()).doesNotContain("anyone?").doesNotContain("hello carol");

        Path png = OUTPUT.resolve("status.png");
        Files.deleteIfExists(png);
        HeadlessChromium.screenshot(base + "/status#token=" + TOKEN, png);
        byte[] image = Files.readAllBytes(png);
        assertThat(image.length).isGreaterThan(10_000);
        assertThat(new String(image, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void theLookupShowsTheMappingAndTheSubscriptionsOfAnAddress() throws Exception {
        // alice asks for the presence of a SIP user: the gateway now holds a pair for it.
        alice.sendPresence("bob\\40sip.test@sip.xmpp.test", "subscribe");
        String address = "sip:bob@sip.test";
        String query = URLEncoder.encode(address, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (api("/api/subscriptions?address=" + query).path("total").asInt() == 0) {
            assertThat(System.nanoTime()).as("the pair appears").isLessThan(deadline);
            Peers.sleep(Duration.ofMillis(100));
        }
        JsonNode translation = api("/api/translate?address=" + query);
        JsonNode subscriptions = api("/api/subscriptions?address=" + query);

        String dom = HeadlessChromium.dumpDom(base + "/status#token=" + TOKEN + "&lookup=" + query);
        Files.createDirectories(OUTPUT);
        Files.writeString(OUTPUT.resolve("lookup.html"), dom);

        assertThat(attribute(dom, "body", "data-lookup")).contains("done");
        assertThat(translation.path("verdict").asText()).isEqualTo("maps");
        assertThat(attribute(dom, "p id=\"translate-verdict\"", "data-verdict")).contains("maps");
        List<List<String>> shown = tableRows(section(dom, "<table id=\"translate\">", "</table>"));
        List<List<String>> expected = new ArrayList<>();
        translation.path("rows").forEach(r -> expected.add(List.of(r.path("label").asText(), r.path("value").asText())));
        assertThat(shown).isEqualTo(expected);
        assertThat(shown.get(0)).containsExactly("rule", translation.path("rows").get(0).path("value").asText());
        assertThat(shown).contains(List.of("SIP -> XMPP", "bob\\40sip.test@sip.xmpp.test"));

        assertThat(subscriptions.path("total").asInt()).isEqualTo(1);
        assertThat(attribute(dom, "p id=\"lookup-subscriptions-total\"", "data-total")).contains("1");
        List<List<String>> pairs = tableRows(section(dom, "<table id=\"lookup-subscriptions\">", "</table>"));
        JsonNode pair = subscriptions.path("items").get(0);
        assertThat(pairs).containsExactly(List.of(pair.path("user").asText(), pair.path("contact").asText(),
                pair.path("outbound").asText(), pair.path("inbound").asText(),
                pair.path("subscriberCallId").asText(""), pair.path("notifierCallId").asText("")));
        assertThat(pair.path("user").asText()).isEqualTo("alice@xmpp.test");
    }

    @Test
    void withoutTheTokenThePageAsksForItAndShowsNoFigures() throws Exception {
        assertThat(get("/api/status", false).statusCode()).isEqualTo(401);
        assertThat(get("/status", false).statusCode()).isEqualTo(200);

        String dom = HeadlessChromium.dumpDom(base + "/status");

        assertThat(attribute(dom, "body", "data-auth")).contains("needed");
        assertThat(attribute(dom, "body", "data-loaded")).isEmpty();
        assertThat(dom).contains("<form id=\"token-form\">");
        assertThat(text(dom, "messages-sip_to_xmpp-accepted")).isEqualTo("–");
    }

    // ---- Helpers -----------------------------------------------------------------------------------

    private HttpResponse<String> get(String path, boolean withToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT).GET();
        if (withToken) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path, true);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    /** The text of the element with this id in the serialized DOM, entities decoded. */
    private static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(m.find()).as("element #%s in the DOM", id).isTrue();
        return unescape(m.group(1)).strip();
    }

    /** An attribute of the first tag that starts with {@code tag}. */
    private static Optional<String> attribute(String dom, String tag, String name) {
        int at = dom.indexOf("<" + tag);
        assertThat(at).as("<%s in the DOM", tag).isNotNegative();
        String open = dom.substring(at, dom.indexOf('>', at));
        Matcher m = Pattern.compile(" " + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(open);
        return m.find() ? Optional.of(unescape(m.group(1))) : Optional.empty();
    }

    private static String section(String dom, String from, String to) {
        int start = dom.indexOf(from);
        assertThat(start).as("%s in the DOM", from).isNotNegative();
        return dom.substring(start, dom.indexOf(to, start));
    }

    /** The cells of each body row of a table. */
    private static List<List<String>> tableRows(String table) {
        List<List<String>> rows = new ArrayList<>();
        Matcher row = Pattern.compile("<tr[^>]*>(.*?)</tr>", Pattern.DOTALL).matcher(table);
        while (row.find()) {
            List<String> cells = cells(row.group(1));
            if (!cells.isEmpty()) {
                rows.add(cells);
            }
        }
        return rows;
    }

    private static Map<String, List<String>> errorRows(String dom) {
        Map<String, List<String>> rows = new HashMap<>();
        Matcher m = ERROR_ROW.matcher(dom);
        while (m.find()) {
            rows.put(m.group(1), cells(m.group(2)));
        }
        return rows;
    }

    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        Matcher c = CELL.matcher(row);
        while (c.find()) {
            cells.add(unescape(c.group(1)));
        }
        return cells;
    }

    /** The entities an HTML serializer writes in text and attributes (HTML §13.3). */
    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", "\u00a0")
                .replace("&amp;", "&");
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels}. */
    private static long sum(String metrics, String name, Map<String, String> labels) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String inside = line.substring(line.indexOf('{') + 1, line.lastIndexOf('}'));
            boolean all = labels.entrySet().stream()
                    .allMatch(l -> inside.contains(l.getKey() + "=\"" + l.getValue() + "\""));
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return (long) total;
    }
}
