package org.isthmus.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.isthmus.mapping.address.SipUri;
import org.isthmus.mapping.error.SipStatus;
import org.isthmus.mapping.message.MediaType;
import org.isthmus.mapping.message.SipPagerMessage;
import org.isthmus.sip.testing.TestUserAgent;
import org.isthmus.sip.testing.TestUserAgent.Answer;

/**
 * Who may send: the trust policy for From addresses in served domains (403 unless from a trusted peer or
 * digest-authenticated), digest authentication of REGISTER (RFC 3261 §22, RFC 2617 qop=auth, RFC 8760
 * SHA-256: wrong credentials, stale nonces, replayed nonce counts), and the edge answering 401/407
 * challenges to the MESSAGEs it sends (§22.2, §22.3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SipEdgeAuthTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration NONCE_LIFETIME = Duration.ofMillis(1500);

    private final RecordingHandler handler = new RecordingHandler();
    private SipEdge edge;
    private int port;
    private TestUserAgent untrusted;
    private TestUserAgent trusted;

    @BeforeAll
    void start() {
        untrusted = TestUserAgent.start("127.0.0.1");
        trusted = TestUserAgent.start("127.0.0.2");
        port = TestUserAgent.freePort("127.0.0.1");
        SipAuth auth = new SipAuth(List.of(
                DigestCredential.ofPassword("alice", "sip.test", "alice-pw"),
                DigestCredential.ofPassword("juliet", "xmpp.test", "juliet-pw")),
                List.of(DigestCredential.ofPassword("isthmus", "proxy.test", "gw-pw")), NONCE_LIFETIME);
        edge = new SipEdge(new SipSettings("127.0.0.1", port, Set.of("udp", "tcp"), Optional.empty(), "Isthmus-test/0")
                .withTrust(new SipTrust(Set.of("xmpp.test"), List.of("127.0.0.2/32"), Set.of()))
                .withAuth(auth), handler);
        edge.start();
    }

    @AfterAll
    void stop() {
        untrusted.close();
        trusted.close();
        edge.close();
    }

    @BeforeEach
    void reset() {
        untrusted.reset();
        trusted.reset();
        handler.reset();
    }

    private Request message(TestUserAgent ua, String from) {
        return ua.message("sip:romeo@127.0.0.1:" + port, "<" + from + ">", "<sip:romeo@sip.test>",
                "text/plain;charset=UTF-8", "hi".getBytes(StandardCharsets.UTF_8));
    }

    private Request register(TestUserAgent ua, String aor) {
        Request r = ua.request(Request.REGISTER, "sip:sip.test", "<" + aor + ">", "<" + aor + ">");
        ua.with(r, "Contact", "<" + ua.uri("alice", "udp") + ">");
        ua.with(r, "Expires", "300");
        r.setRequestURI(uri(ua, "sip:127.0.0.1:" + port));
        return r;
    }

    private static javax.sip.address.URI uri(TestUserAgent ua, String text) {
        try {
            return ua.addresses().createURI(text);
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<WWWAuthenticateHeader> challenges(Response response) {
        List<WWWAuthenticateHeader> out = new ArrayList<>();
        ListIterator<?> it = response.getHeaders(WWWAuthenticateHeader.NAME);
        while (it != null && it.hasNext()) {
            out.add((WWWAuthenticateHeader) it.next());
        }
        return out;
    }

    /** The request again, as a new transaction with CSeq+1 and credentials answering {@code challenge}. */
    private static Request answered(TestUserAgent ua, Request original, WWWAuthenticateHeader challenge, String user,
                                    String password, String nc) throws Exception {
        Request r = (Request) original.clone();
        r.removeHeader("Via");
        r.addHeader(ua.headers().createViaHeader(ua.host(), ua.port(), "udp", null));
        CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        r.setHeader(authorization(ua, r, challenge, user, password, nc));
        return r;
    }

    private static AuthorizationHeader authorization(TestUserAgent ua, Request r, WWWAuthenticateHeader challenge,
                                                     String user, String password, String nc) throws Exception {
        Digest.Algorithm algorithm = Digest.Algorithm.of(challenge.getAlgorithm()).orElseThrow();
        String uri = r.getRequestURI().toString();
        String ha1 = algorithm.hash(user + ":" + challenge.getRealm() + ":" + password);
        String response = Digest.response(algorithm, ha1, r.getMethod(), uri, challenge.getNonce(), Optional.of("auth"),
                nc, "c0ffee");
        AuthorizationHeader h = ua.headers().createAuthorizationHeader("Digest");
        h.setUsername(user);
        h.setRealm(challenge.getRealm());
        h.setNonce(challenge.getNonce());
        h.setURI(r.getRequestURI());
        h.setResponse(response);
        h.setAlgorithm(algorithm.token);
        h.setQop("auth");
        h.setNonceCount(Integer.parseInt(nc, 16));
        h.setCNonce("c0ffee");
        return h;
    }

    // --- Trust for served domains ---

    @Test
    void untrustedPeerClaimingAServedDomainWithoutUsersOfThatRealmIsChallengedOrRefused() throws Exception {
        // xmpp.test has a user (juliet), so an untrusted peer is challenged rather than refused outright.
        Response response = untrusted.send(message(untrusted, "sip:juliet@xmpp.test"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void untrustedPeerWithAnotherUsersCredentialsGets403() throws Exception {
        Request request = message(untrusted, "sip:romeo-impostor@xmpp.test");
        Response challenge = untrusted.send(request, WAIT);
        Request retry = answered(untrusted, request, challenges(challenge).get(0), "juliet", "juliet-pw", "00000001");

        assertThat(untrusted.send(retry, WAIT).getStatusCode()).isEqualTo(403);
        assertThat(handler.messages).isEmpty();
    }

    @Test
    void untrustedPeerWithWrongCredentialsGets403() throws Exception {
        Request request = message(untrusted, "sip:juliet@xmpp.test");
        Response challenge = untrusted.send(request, WAIT);
        Request retry = answered(untrusted, request, challenges(challenge).get(0), "juliet", "wrong", "00000001");

        assertThat(untrusted.send(retry, WAIT).getStatusCode()).isEqualTo(403);
    }

    @Test
    void untrustedPeerAuthenticatedAsTheFromUserIsAccepted() throws Exception {
        Request request = message(untrusted, "sip:juliet@xmpp.test");
        Response challenge = untrusted.send(request, WAIT);
        Request retry = answered(untrusted, request, challenges(challenge).get(0), "juliet", "juliet-pw", "00000001");

        assertThat(untrusted.send(retry, WAIT).getStatusCode()).isEqualTo(202);
        assertThat(handler.awaitMessage(WAIT).from().toString()).isEqualTo("sip:juliet@xmpp.test");
    }

    @Test
    void trustedPeerAddressIsAcceptedWithoutCredentials() throws Exception {
        Response response = trusted.send(message(trusted, "sip:juliet@xmpp.test"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(202);
        assertThat(handler.awaitMessage(WAIT).from().toString()).isEqualTo("sip:juliet@xmpp.test");
    }

    @Test
    void fromOutsideTheServedDomainsIsNotChecked() throws Exception {
        Response response = untrusted.send(message(untrusted, "sip:romeo@sip.test"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(202);
    }

    @Test
    void trustPolicyMatchesServedDomainsCaseInsensitivelyAndAddressesByCidrBlock() throws Exception {
        SipTrust trust = new SipTrust(Set.of("other.test"), List.of(), Set.of());
        assertThat(trust.serves("OTHER.test")).isTrue();
        assertThat(trust.trustsAddress(java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 2}))).isFalse();
        assertThat(new SipTrust(Set.of(), List.of("127.0.0.0/8", "::1/128"), Set.of())
                .trustsAddress(java.net.InetAddress.getByAddress(new byte[] {127, 9, 9, 9}))).isTrue();
    }

    // --- Registrar authentication ---

    @Test
    void registerWithoutCredentialsIsChallengedWithSha256FirstThenMd5() throws Exception {
        Response response = untrusted.send(register(untrusted, "sip:alice@sip.test"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(401);
        List<WWWAuthenticateHeader> challenges = challenges(response);
        assertThat(challenges).extracting(WWWAuthenticateHeader::getAlgorithm).containsExactly("SHA-256", "MD5");
        assertThat(challenges).allSatisfy(c -> {
            assertThat(c.getRealm()).isEqualTo("sip.test");
            assertThat(c.getQop()).isEqualTo("auth");
            assertThat(c.getNonce()).isNotBlank();
        });
        assertThat(handler.registrations).isEmpty();
    }

    @Test
    void registerWithGoodMd5CredentialsReachesTheRegistrar() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        Response challenge = untrusted.send(request, WAIT);

        Response response = untrusted.send(answered(untrusted, request, challenges(challenge).get(1), "alice",
                "alice-pw", "00000001"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(handler.awaitRegistration(WAIT).addressOfRecord().toString()).isEqualTo("sip:alice@sip.test");
    }

    @Test
    void registerWithGoodSha256CredentialsReachesTheRegistrar() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        Response challenge = untrusted.send(request, WAIT);
        assertThat(challenges(challenge).get(0).getAlgorithm()).isEqualTo("SHA-256");

        Response response = untrusted.send(answered(untrusted, request, challenges(challenge).get(0), "alice",
                "alice-pw", "00000001"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(200);
    }

    @Test
    void registerWithAWrongPasswordIsChallengedAgain() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        Response challenge = untrusted.send(request, WAIT);

        Response response = untrusted.send(answered(untrusted, request, challenges(challenge).get(0), "alice",
                "guess", "00000001"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(challenges(response).get(0).isStale()).isFalse();
        assertThat(handler.registrations).isEmpty();
    }

    @Test
    void credentialsFromAnotherRealmAreChallengedAgain() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        Response challenge = untrusted.send(request, WAIT);

        // juliet's credentials are in realm xmpp.test: unknown in sip.test, so challenged again.
        Response response = untrusted.send(answered(untrusted, request, challenges(challenge).get(0), "juliet",
                "juliet-pw", "00000001"), WAIT);

        assertThat(response.getStatusCode()).isEqualTo(401);
    }

    @Test
    void aReplayedNonceCountIsRefused() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        WWWAuthenticateHeader challenge = challenges(untrusted.send(request, WAIT)).get(0);
        Request first = answered(untrusted, request, challenge, "alice", "alice-pw", "00000001");
        assertThat(untrusted.send(first, WAIT).getStatusCode()).isEqualTo(200);

        Request replay = answered(untrusted, first, challenge, "alice", "alice-pw", "00000001");
        assertThat(untrusted.send(replay, WAIT).getStatusCode()).isEqualTo(401);

        Request next = answered(untrusted, replay, challenge, "alice", "alice-pw", "00000002");
        assertThat(untrusted.send(next, WAIT).getStatusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredNonceWithGoodCredentialsIsChallengedAsStale() throws Exception {
        Request request = register(untrusted, "sip:alice@sip.test");
        WWWAuthenticateHeader challenge = challenges(untrusted.send(request, WAIT)).get(0);
        Thread.sleep(NONCE_LIFETIME.toMillis() + 300);

        Response response = untrusted.send(answered(untrusted, request, challenge, "alice", "alice-pw", "00000001"),
                WAIT);

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(challenges(response)).allSatisfy(c -> assertThat(c.isStale()).isTrue());
        assertThat(challenges(response).get(0).getNonce()).isNotEqualTo(challenge.getNonce());
    }

    @Test
    void credentialsFileInHtdigestFormatIsRead() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("isthmus-credentials", ".txt");
        String md5 = Digest.Algorithm.MD5.hash("carol:sip.test:carol-pw");
        String sha = Digest.Algorithm.SHA_256.hash("carol:sip.test:carol-pw");
        java.nio.file.Files.writeString(file, "# users\ncarol:sip.test:" + md5 + ":" + sha + "\ndave:sip.test:" + md5 + "\n");

        List<DigestCredential> credentials = DigestCredential.readFile(file);

        assertThat(credentials).hasSize(2);
        assertThat(credentials.get(0).ha1("SHA-256")).hasValue(sha);
        assertThat(credentials.get(1).ha1("SHA-256")).isEmpty();
    }

    // --- The edge as client ---

    private SipOutcome sendTo(TestUserAgent ua) throws Exception {
        SipUri requestUri = SipUri.parse(ua.uri("romeo", "udp")).orThrow();
        SipPagerMessage message = new SipPagerMessage(SipUri.of("juliet", "xmpp.test"), SipUri.of("romeo", "sip.test"),
                requestUri, Optional.empty(), MediaType.TEXT_PLAIN_UTF8, "hi".getBytes(StandardCharsets.UTF_8),
                Optional.empty(), Optional.empty());
        return edge.sendMessage(message, SipTarget.direct(requestUri)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void a401IsAnsweredOnceWithCredentialsAndAHigherCseq() throws Exception {
        String challenge = "Digest realm=\"proxy.test\", nonce=\"n1\", qop=\"auth\", algorithm=SHA-256";
        untrusted.answerWith(r -> r.getHeader(AuthorizationHeader.NAME) == null
                ? new Answer(401, "Unauthorized", Map.of("WWW-Authenticate", challenge))
                : new Answer(200, "OK", Map.of()));

        SipOutcome outcome = sendTo(untrusted);

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        Request first = untrusted.awaitRequest(WAIT).request();
        Request second = untrusted.awaitRequest(WAIT).request();
        assertThat(((CSeqHeader) second.getHeader(CSeqHeader.NAME)).getSeqNumber())
                .isEqualTo(((CSeqHeader) first.getHeader(CSeqHeader.NAME)).getSeqNumber() + 1);
        assertThat(((CallIdHeader) second.getHeader(CallIdHeader.NAME)).getCallId())
                .isEqualTo(((CallIdHeader) first.getHeader(CallIdHeader.NAME)).getCallId());
        AuthorizationHeader auth = (AuthorizationHeader) second.getHeader(AuthorizationHeader.NAME);
        assertThat(auth.getUsername()).isEqualTo("isthmus");
        assertThat(auth.getAlgorithm()).isEqualTo("SHA-256");
        String ha1 = Digest.Algorithm.SHA_256.hash("isthmus:proxy.test:gw-pw");
        assertThat(auth.getResponse()).isEqualTo(Digest.response(Digest.Algorithm.SHA_256, ha1, "MESSAGE",
                second.getRequestURI().toString(), "n1", Optional.of("auth"), auth.getParameter("nc"),
                auth.getCNonce()));
    }

    @Test
    void a407IsAnsweredWithProxyAuthorization() throws Exception {
        String challenge = "Digest realm=\"proxy.test\", nonce=\"n2\", algorithm=MD5";
        untrusted.answerWith(r -> r.getHeader(ProxyAuthorizationHeader.NAME) == null
                ? new Answer(407, "Proxy Authentication Required", Map.of("Proxy-Authenticate", challenge))
                : new Answer(200, "OK", Map.of()));

        SipOutcome outcome = sendTo(untrusted);

        assertThat(outcome.status()).isEqualTo(SipStatus.of(200));
        untrusted.awaitRequest(WAIT);
        ProxyAuthorizationHeader auth = (ProxyAuthorizationHeader) untrusted.awaitRequest(WAIT).request()
                .getHeader(ProxyAuthorizationHeader.NAME);
        assertThat(auth.getRealm()).isEqualTo("proxy.test");
        assertThat(auth.getQop()).isNull();
    }

    @Test
    void wrongClientCredentialsEndInA401ForTheCaller() throws Exception {
        untrusted.answerWith(r -> new Answer(401, "Unauthorized",
                Map.of("WWW-Authenticate", "Digest realm=\"proxy.test\", nonce=\"n3\", qop=\"auth\"")));

        SipOutcome outcome = sendTo(untrusted);

        assertThat(outcome.status().code()).isEqualTo(401);
        untrusted.awaitRequest(WAIT);
        untrusted.awaitRequest(WAIT);
        assertThat(untrusted.nothingReceived(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void aChallengeForAnUnknownRealmIsTheCallersOutcome() throws Exception {
        untrusted.answerWith(r -> new Answer(401, "Unauthorized",
                Map.of("WWW-Authenticate", "Digest realm=\"elsewhere\", nonce=\"n4\"")));

        assertThat(sendTo(untrusted).status().code()).isEqualTo(401);
        untrusted.awaitRequest(WAIT);
        assertThat(untrusted.nothingReceived(Duration.ofMillis(300))).isTrue();
    }
}
