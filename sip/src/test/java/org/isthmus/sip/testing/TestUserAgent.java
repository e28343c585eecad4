package org.isthmus.sip.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.TransactionExt;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;

import org.isthmus.sip.SipMessageLimits;
import org.isthmus.sip.stack.EdgeSipStack;
import org.isthmus.sip.stack.Slf4jServerLogger;
import org.isthmus.sip.stack.Slf4jStackLogger;

/**
 * A SIP user agent for scenario tests: its own JAIN-SIP stack on loopback, UDP and TCP on one port, and
 * TLS on another if started with a certificate.
 * It sends requests and waits for their final responses, and it records every request it receives
 * and answers it with the status the test chose. Start one per test class; stopping takes a second.
 */
public final class TestUserAgent implements AutoCloseable {

    private final String host;
    private final int port;
    private final int tlsPort;
    private final SipStackImpl stack;
    private final SipProvider provider;
    private final AddressFactory addresses = new AddressFactoryImpl();
    private final HeaderFactory headers = new HeaderFactoryImpl();
    private final MessageFactory messages = new MessageFactoryImpl();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Map<String, CompletableFuture<Response>> waiting = new ConcurrentHashMap<>();
    private volatile Function<Request, Answer> answers = r -> new Answer(200, "OK", Map.of());

    /**
     * A request the agent received, with the transport it came over (lower case) and when its listener
     * got it ({@link System#nanoTime()}).
     */
    public record Received(Request request, String transport, long receivedNanos) {
    }

    /**
     * How to answer a received request: status, reason, extra headers (name to value; a value may be a
     * comma list, e.g. of Record-Route entries), and the To tag to put in the response (a fresh one if
     * empty).
     */
    public record Answer(int code, String reason, Map<String, String> headers, Optional<String> toTag) {
        public Answer {
            headers = Map.copyOf(headers);
            java.util.Objects.requireNonNull(toTag, "toTag");
        }

        /** An answer with a fresh To tag. */
        public Answer(int code, String reason, Map<String, String> headers) {
            this(code, reason, headers, Optional.empty());
        }
    }

    private TestUserAgent(String host, int port, Optional<SSLContext> tls, int tlsPort) throws Exception {
        this.host = host;
        this.port = port;
        this.tlsPort = tlsPort;
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "test-ua-" + port);
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        if (tls.isPresent()) {
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Want");
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.3,TLSv1.2");
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES",
                    String.join(",", tls.get().getDefaultSSLParameters().getCipherSuites()));
        }
        this.stack = new EdgeSipStack(p, tls, 5000, SipMessageLimits.DEFAULT);
        ListeningPoint udp = stack.createListeningPoint(host, port, "udp");
        ListeningPoint tcp = stack.createListeningPoint(host, port, "tcp");
        this.provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        if (tls.isPresent()) {
            provider.addListeningPoint(stack.createListeningPoint(host, tlsPort, "tls"));
        }
        provider.addSipListener(new Listener());
        stack.start();
    }

    /** Starts an agent on a free port of {@code host} (an IP literal such as 127.0.0.1 or ::1). */
    public static TestUserAgent start(String host) {
        try {
            return new TestUserAgent(host, freePort(host), Optional.empty(), 0);
        } catch (Exception e) {
            throw new IllegalStateException("test user agent did not start: " + e, e);
        }
    }

    /** Starts an agent that also listens for TLS, on a port of its own, with the certificate of {@code tls}. */
    public static TestUserAgent startTls(String host, SSLContext tls) {
        try {
            int port = freePort(host);
            int tlsPort;
            do {
                tlsPort = freePort(host);
            } while (tlsPort == port);
            return new TestUserAgent(host, port, Optional.of(tls), tlsPort);
        } catch (Exception e) {
            throw new IllegalStateException("test user agent did not start: " + e, e);
        }
    }

    /** A port free for both UDP and TCP on {@code host} (JAIN-SIP refuses port 0). */
    public static int freePort(String host) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket()) {
                tcp.setReuseAddress(false);
                tcp.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
                int candidate = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host),
                        candidate))) {
                    return udp.getLocalPort();
                } catch (IOException busy) {
                    // Taken for UDP: try another.
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot probe ports on " + host, e);
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP on " + host);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The TLS port (0 without TLS). */
    public int tlsPort() {
        return tlsPort;
    }

    /** {@code sip:user@host:port}, with {@code ;transport=tcp} or {@code tls} if asked (and the TLS port). */
    public String uri(String user, String transport) {
        return "sip:" + user + "@" + uriHost() + ":" + (transport.equals("tls") ? tlsPort : port)
                + (transport.equals("udp") ? "" : ";transport=" + transport);
    }

    /** The host as a URI has it: an IPv6 literal in brackets. */
    public String uriHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    public AddressFactory addresses() {
        return addresses;
    }

    public HeaderFactory headers() {
        return headers;
    }

    public MessageFactory messages() {
        return messages;
    }

    /**
     * A request from {@code from} to {@code to} sent to {@code requestUri}, with a Via for the transport of
     * the Request-URI's transport parameter (UDP by default), CSeq 1, a fresh Call-ID and From tag.
     */
    public Request request(String method, String requestUri, String from, String to) {
        try {
            URI ruri = addresses.createURI(requestUri);
            String transport = ruri instanceof SipURI sip && sip.getTransportParam() != null
                    ? sip.getTransportParam() : "udp";
            FromHeader fromHeader = headers.createFromHeader(addresses.createAddress(from), tag());
            ToHeader toHeader = headers.createToHeader(addresses.createAddress(to), null);
            CallIdHeader callId = provider.getNewCallId();
            CSeqHeader cseq = headers.createCSeqHeader(1L, method);
            ViaHeader via = headers.createViaHeader(host, transport.equalsIgnoreCase("tls") ? tlsPort : port, transport,
                    null);
            return messages.createRequest(ruri, method, callId, cseq, fromHeader, toHeader, List.of(via),
                    headers.createMaxForwardsHeader(70));
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A MESSAGE with a body of the given Content-Type ({@code type/subtype;params}). */
    public Request message(String requestUri, String from, String to, String contentType, byte[] body) {
        Request request = request(Request.MESSAGE, requestUri, from, to);
        try {
            request.setContent(body, (ContentTypeHeader) headers.createHeader("Content-Type",
                    contentType));
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
        return request;
    }

    /**
     * A request in the dialog that {@code initial} (sent by this agent) and its 2xx {@code ok} made (RFC 3261
     * §12.2.1.1): same Call-ID and From, To with the 2xx's tag, Request-URI the 2xx's Contact, CSeq
     * {@code cseq}, a Via and a Contact (user {@code romeo}) for {@code transport}.
     */
    public Request inDialog(Request initial, Response ok, String method, long cseq, String transport) {
        try {
            URI target = ((javax.sip.header.ContactHeader) ok.getHeader("Contact")).getAddress().getURI();
            ToHeader to = (ToHeader) ((ToHeader) ok.getHeader(ToHeader.NAME)).clone();
            FromHeader from = (FromHeader) ((FromHeader) initial.getHeader(FromHeader.NAME)).clone();
            Request request = messages.createRequest(target, method,
                    (CallIdHeader) initial.getHeader(CallIdHeader.NAME), headers.createCSeqHeader(cseq, method), from,
                    to, List.of(headers.createViaHeader(host, port, transport, null)), headers.createMaxForwardsHeader(70));
            // A Contact, as RFC 6665 §4.1.2.2 requires of a refresh (and JAIN-SIP's NOTIFY matching expects).
            return with(request, "Contact", "<" + uri("romeo", transport) + ">");
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * A NOTIFY this agent, as notifier, sends in the dialog of a SUBSCRIBE it received (RFC 6665 §4.2.2): the
     * SUBSCRIBE's Call-ID, From = its To with {@code notifierTag}, To = its From, Request-URI its Contact,
     * Event presence, the Subscription-State given, a Contact of this agent over {@code transport}, CSeq
     * {@code cseq}, and a PIDF body if {@code pidf} is not null.
     */
    public Request notifyFor(Request subscribe, String notifierTag, long cseq, String state, byte[] pidf,
                             String transport) {
        try {
            URI target = ((javax.sip.header.ContactHeader) subscribe.getHeader("Contact")).getAddress().getURI();
            ToHeader subscribeTo = (ToHeader) subscribe.getHeader(ToHeader.NAME);
            FromHeader subscribeFrom = (FromHeader) subscribe.getHeader(FromHeader.NAME);
            FromHeader from = headers.createFromHeader(subscribeTo.getAddress(), notifierTag);
            ToHeader to = headers.createToHeader(subscribeFrom.getAddress(), subscribeFrom.getTag());
            Request notify = messages.createRequest(target, Request.NOTIFY,
                    (CallIdHeader) subscribe.getHeader(CallIdHeader.NAME), headers.createCSeqHeader(cseq, Request.NOTIFY),
                    from, to, List.of(headers.createViaHeader(host, port, transport, null)),
                    headers.createMaxForwardsHeader(70));
            with(notify, "Event", "presence");
            with(notify, "Subscription-State", state);
            with(notify, "Contact", "<" + uri("notifier", transport) + ">");
            if (pidf != null) {
                notify.setContent(pidf, (ContentTypeHeader) headers.createHeader("Content-Type", "application/pidf+xml"));
            }
            return notify;
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends {@code request} on another thread; the future completes with its final response. */
    public CompletableFuture<Response> sendAsync(Request request, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> send(request, timeout));
    }

    /** Adds a header parsed from {@code name: value}. */
    public Request with(Request request, String name, String value) {
        try {
            request.addHeader(headers.createHeader(name, value));
        } catch (ParseException e) {
            throw new IllegalArgumentException(e);
        }
        return request;
    }

    /** Sends {@code request} in a client transaction and waits for its final response. */
    public Response send(Request request, Duration timeout) {
        try {
            ClientTransaction ct = provider.getNewClientTransaction(request);
            CompletableFuture<Response> future = new CompletableFuture<>();
            waiting.put(ct.getBranchId(), future);
            ct.sendRequest();
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (SipException e) {
            throw new IllegalStateException("could not send: " + e, e);
        } catch (TimeoutException e) {
            throw new AssertionError("no final response within " + timeout);
        } catch (ExecutionException e) {
            throw new AssertionError("request failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Answers each received request (except ACK) with what {@code answers} returns. */
    public void answerWith(Function<Request, Answer> answers) {
        this.answers = answers;
    }

    /** Answers each received request with {@code code} and {@code reason}. */
    public void answerWith(int code, String reason) {
        answerWith(r -> new Answer(code, reason, Map.of()));
    }

    /** The next request received (ACKs excluded), waiting at most {@code timeout}. */
    public Received awaitRequest(Duration timeout) {
        try {
            Received r = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError("no request within " + timeout);
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** True if no request arrived within {@code wait}. */
    public boolean nothingReceived(Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Forgets received requests and answers with 200 again. */
    public void reset() {
        received.clear();
        answerWith(200, "OK");
    }

    @Override
    public void close() {
        stack.stop();
    }

    private static String tag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    private final class Listener implements SipListener {

        @Override
        public void processRequest(RequestEvent event) {
            Request request = event.getRequest();
            if (Request.ACK.equals(request.getMethod())) {
                return;
            }
            try {
                ServerTransaction st = event.getServerTransaction() != null ? event.getServerTransaction()
                        : provider.getNewServerTransaction(request);
                String transport = ((TransactionExt) st).getTransport().toLowerCase(Locale.ROOT);
                received.add(new Received(request, transport, System.nanoTime()));
                Answer answer = answers.apply(request);
                Response response = messages.createResponse(answer.code(), request);
                response.setReasonPhrase(answer.reason());
                ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(answer.toTag().orElseGet(TestUserAgent::tag));
                for (Map.Entry<String, String> h : answer.headers().entrySet()) {
                    if (h.getKey().equalsIgnoreCase("Record-Route")) {
                        // addHeader puts a Record-Route on top (javax.sip Message#addHeader), so add the last first.
                        List<?> list = ((HeaderFactoryImpl) headers).createHeaders(h.getKey() + ": " + h.getValue());
                        for (int i = list.size() - 1; i >= 0; i--) {
                            response.addHeader((javax.sip.header.Header) list.get(i));
                        }
                    } else {
                        response.addHeader(headers.createHeader(h.getKey(), h.getValue()));
                    }
                }
                st.sendResponse(response);
            } catch (Exception e) {
                throw new IllegalStateException("test user agent could not answer: " + e, e);
            }
        }

        @Override
        public void processResponse(ResponseEvent event) {
            ClientTransaction ct = event.getClientTransaction();
            if (ct != null && event.getResponse().getStatusCode() >= 200) {
                CompletableFuture<Response> f = waiting.remove(ct.getBranchId());
                if (f != null) {
                    f.complete(event.getResponse());
                }
            }
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            if (event.getClientTransaction() != null) {
                CompletableFuture<Response> f = waiting.remove(event.getClientTransaction().getBranchId());
                if (f != null) {
                    f.completeExceptionally(new TimeoutException("transaction timeout"));
                }
            }
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            // A test sees it as a missing response.
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
            // Nothing to clean: futures are removed when completed.
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
            // No dialogs.
        }
    }
}
