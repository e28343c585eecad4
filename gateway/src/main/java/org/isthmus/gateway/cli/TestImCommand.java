package org.isthmus.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.isthmus.gateway.config.AdminSettings;
import org.isthmus.gateway.config.ConfigException;
import org.isthmus.gateway.config.GatewayConfig;

/**
 * {@code isthmus test-im}: asks a running gateway, through its admin API ({@code POST /api/test-im}),
 * to send one message across, and prints each hop the message took and where it stopped, as Lync's
 * {@code Test-CsXmppIM} does. The exit status says how it ended.
 */
@Command(name = "test-im", mixinStandardHelpOptions = true,
        description = {"Send a test message across the running gateway (through its admin API, which must allow it "
                + "with admin.test-im and admin.token) and report each hop: address mapping, link or route, sent, "
                + "and the far end's answer.",
                "From an XMPP user to a SIP user: --from alice@xmpp.test --to sip:bob@sip.test. From a SIP user to an "
                        + "XMPP user: --from sip:bob@sip.test --to alice@xmpp.test. The recipient sees the message."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:delivered (SIP 2xx), or accepted (no XMPP error within the error window)",
                "1:the far end refused it (a SIP error status or an XMPP error)",
                "2:an address or option is not valid", "3:it stopped inside the gateway (mapping, route, link, send)",
                "4:no answer within the timeout", "5:the admin API could not be asked (unreachable, token, test-im off)"})
final class TestImCommand implements Callable<Integer> {

    static final int EXIT_DELIVERED = 0;
    static final int EXIT_REJECTED = 1;
    static final int EXIT_INVALID = ConfigFile.EXIT_INVALID;
    static final int EXIT_STOPPED = 3;
    static final int EXIT_TIMEOUT = 4;
    static final int EXIT_UNREACHABLE = 5;

    /** The environment variable the token is read from when neither --token nor --config gives it. */
    static final String TOKEN_VARIABLE = "ISTHMUS_ADMIN_TOKEN";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "ADDRESS",
            description = "The sender: an XMPP user's JID (alice@xmpp.test), or a SIP user's URI (sip:bob@sip.test).")
    String from;

    @Option(names = "--to", required = true, paramLabel = "ADDRESS",
            description = "The recipient: a SIP URI or the SIP user's JID on the gateway, or an XMPP user's JID.")
    String to;

    @Option(names = "--body", paramLabel = "TEXT", description = "The text (default: 'isthmus test-im' and the time).")
    Optional<String> body;

    @Option(names = "--admin", paramLabel = "URL",
            description = "The admin API (default: from --config, else http://127.0.0.1:" + AdminSettings.DEFAULT_PORT
                    + ").")
    Optional<String> admin;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "The admin API's bearer token (default: from --config, else $" + TOKEN_VARIABLE + ").")
    Optional<String> token;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The gateway's configuration, to find the admin API and its token.")
    Optional<java.nio.file.Path> config;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait for the far end's answer, 1 to 25 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 1 || timeoutSeconds > 25) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be 1 to 25 seconds");
        }
        Optional<AdminSettings> loaded = Optional.empty();
        if (config.isPresent()) {
            if (!Files.isReadable(config.get())) {
                return fail(err, EXIT_INVALID, "cannot read " + config.get());
            }
            try {
                loaded = GatewayConfig.load(config.get()).admin();
            } catch (ConfigException e) {
                return fail(err, EXIT_INVALID, "invalid configuration " + e.getMessage());
            }
            if (loaded.isEmpty() && admin.isEmpty()) {
                return fail(err, EXIT_UNREACHABLE, config.get() + " has no admin section, so the gateway has no admin "
                        + "API; add one with test-im: true and a token, and restart it");
            }
        }
        if (admin.isEmpty() && loaded.isPresent() && loaded.get().port() == 0) {
            return fail(err, EXIT_INVALID, "admin.port is 0 (any free port) in " + config.orElseThrow() + "; give --admin "
                    + "with the port the gateway logged at start (\"admin API on http://...\")");
        }
        Optional<AdminSettings> fromConfig = loaded;
        URI api;
        try {
            api = new URI(admin.orElseGet(() -> fromConfig(fromConfig)).replaceAll("/+$", "") + "/api/test-im");
        } catch (URISyntaxException e) {
            return fail(err, EXIT_INVALID, "--admin is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(api.getScheme()) || api.getHost() == null) {
            return fail(err, EXIT_INVALID, "--admin must be an http:// URL such as http://127.0.0.1:8080");
        }
        Optional<String> bearer = token.or(() -> fromConfig.flatMap(AdminSettings::token))
                .or(() -> Optional.ofNullable(System.getenv(TOKEN_VARIABLE)));

        ObjectNode request = json.createObjectNode().put("from", from).put("to", to).put("timeout", timeoutSeconds);
        body.ifPresent(b -> request.put("body", b));
        HttpRequest.Builder post = HttpRequest.newBuilder(api)
                .timeout(Duration.ofSeconds(timeoutSeconds + 10L))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()));
        bearer.ifPresent(t -> post.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(post.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            return fail(err, EXIT_UNREACHABLE, "cannot connect to the admin API at " + api + ": is the gateway running, "
                    + "with an admin section (admin.address, admin.port)?");
        } catch (HttpTimeoutException e) {
            return fail(err, EXIT_TIMEOUT, "the admin API at " + api + " did not answer within "
                    + (timeoutSeconds + 10) + " s");
        } catch (IOException e) {
            return fail(err, EXIT_UNREACHABLE, "the admin API at " + api + " failed: " + e);
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (JsonProcessingException e) {
            answer = json.createObjectNode();
        }
        int status = response.statusCode();
        String why = answer.path("error").asText(response.body());
        if (status == 401) {
            return fail(err, EXIT_UNREACHABLE, "the admin API wants its token: give --token, --config, or set $"
                    + TOKEN_VARIABLE + (bearer.isPresent() ? " (the token given is not the gateway's)" : ""));
        }
        if (status == 403 || status == 404 || status == 405) {
            return fail(err, EXIT_UNREACHABLE, "the admin API at " + api + " refused: " + status + " " + why);
        }
        if (status == 400) {
            return fail(err, EXIT_INVALID, why);
        }
        if (status != 200) {
            return fail(err, EXIT_UNREACHABLE, "the admin API at " + api + " answered " + status + ": " + why);
        }
        out.println("test-im " + from + " -> " + to + " (" + answer.path("direction").asText() + ")");
        String stoppedAt = "";
        for (JsonNode hop : answer.path("hops")) {
            boolean ok = hop.path("ok").asBoolean();
            out.printf("%-4s %s: %s%n", ok ? "OK" : "FAIL", hop.path("step").asText(), hop.path("detail").asText());
            if (!ok && stoppedAt.isEmpty()) {
                stoppedAt = hop.path("step").asText();
            }
        }
        String result = answer.path("result").asText();
        out.println("result: " + result + (stoppedAt.isEmpty() ? "" : " (stopped at: " + stoppedAt + ")"));
        out.flush();
        return switch (result) {
            case "delivered", "accepted" -> EXIT_DELIVERED;
            case "rejected" -> EXIT_REJECTED;
            case "stopped" -> EXIT_STOPPED;
            case "timeout" -> EXIT_TIMEOUT;
            default -> fail(err, EXIT_UNREACHABLE, "the admin API answered an unknown result: " + response.body());
        };
    }

    /** The admin API's URL from the configuration: its address (any-address becomes loopback) and port. */
    private static String fromConfig(Optional<AdminSettings> settings) {
        if (settings.isEmpty()) {
            return "http://127.0.0.1:" + AdminSettings.DEFAULT_PORT;
        }
        String host = settings.get().address();
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::")) {
            host = "::1";
        }
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + settings.get().port();
    }

    private static int fail(PrintWriter err, int status, String message) {
        err.println("isthmus test-im: " + message);
        err.flush();
        return status;
    }
}
