package org.isthmus.sip.stack;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.function.BiFunction;

import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.isthmus.sip.SipMessageLimits;

/**
 * The TLS listening socket (RFC 3261 §26.2.1, SIPS over TLS): JSSE's own server socket, whose accepted
 * connections read their decrypted bytes through {@link GuardedInput}, so a message over TLS has the same
 * {@link SipMessageLimits} bounds and answers as over TCP (513, 414, 413 and the close, the message
 * deadline). JAIN-SIP's TLS transport needs an {@link SSLSocket} (it casts, listens for the handshake and
 * reads the session), so the accepted socket is handed over as one that forwards every TLS and socket call
 * to JSSE's and only swaps its input stream. A handshake that never starts or never ends is cut by the
 * stack's own watchdog ({@code SSL_HANDSHAKE_TIMEOUT}), which closes this socket and so JSSE's; a failed
 * handshake ends the connection the way a closed one does, so that it gives back its place among
 * {@code max-tcp-connections}.
 */
final class GuardedSslServerSocket extends SSLServerSocket {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedSslServerSocket.class);

    private final SSLServerSocket server;
    private final SipMessageLimits limits;
    private final long stallMillis;

    /** @param stallMillis the longest pause allowed inside a message (JAIN-SIP's {@code READ_TIMEOUT}) */
    GuardedSslServerSocket(SSLServerSocket server, SipMessageLimits limits, long stallMillis) throws IOException {
        this.server = server;
        this.limits = limits;
        this.stallMillis = stallMillis;
    }

    @Override
    public Socket accept() throws IOException {
        return new GuardedSslSocket((SSLSocket) server.accept(), limits, stallMillis);
    }

    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            super.close();
        }
    }

    @Override
    public boolean isClosed() {
        return server.isClosed();
    }

    @Override
    public boolean isBound() {
        return server.isBound();
    }

    @Override
    public InetAddress getInetAddress() {
        return server.getInetAddress();
    }

    @Override
    public int getLocalPort() {
        return server.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return server.getLocalSocketAddress();
    }

    @Override
    public synchronized void setSoTimeout(int timeout) throws SocketException {
        server.setSoTimeout(timeout);
    }

    @Override
    public synchronized int getSoTimeout() throws IOException {
        return server.getSoTimeout();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return server.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        server.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return server.getSupportedCipherSuites();
    }

    @Override
    public String[] getSupportedProtocols() {
        return server.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return server.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        server.setEnabledProtocols(protocols);
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        server.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return server.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        server.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return server.getWantClientAuth();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        server.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return server.getUseClientMode();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        server.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return server.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return server.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        server.setSSLParameters(params);
    }

    @Override
    public String toString() {
        return "guarded " + server;
    }

    /** One accepted TLS connection: JSSE's socket with a {@link GuardedInput} over its decrypted input. */
    private static final class GuardedSslSocket extends SSLSocket {

        private final SSLSocket socket;
        private final SipMessageLimits limits;
        private final long stallMillis;
        private InputStream input;
        private volatile boolean handshakeFailed;

        GuardedSslSocket(SSLSocket socket, SipMessageLimits limits, long stallMillis) {
            this.socket = socket;
            this.limits = limits;
            this.stallMillis = stallMillis;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (input == null) {
                input = new GuardedInput(new FilterInputStream(socket.getInputStream()) {
                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        return handshakeFailed ? -1 : super.read(buffer, offset, length);
                    }
                }, this, limits, stallMillis, "tls");
            }
            return input;
        }

        /**
         * JSSE's handshake; a failure (the stack's handshake watchdog closing the socket, a peer that hangs
         * up or sends garbage) ends the input instead of being thrown. JAIN-SIP 1.3.0-91's
         * {@code TLSMessageChannel.run} returns on a thrown failure without giving back the connection's
         * slot of {@code MAX_CONNECTIONS}, so after that many failed handshakes the TLS listener stopped
         * accepting for good; an ended input takes the channel's ordinary close, which does.
         */
        @Override
        public void startHandshake() throws IOException {
            try {
                socket.startHandshake();
            } catch (IOException e) {
                LOG.info("SIP tls from {}: closing, the TLS handshake failed: {}", socket.getRemoteSocketAddress(),
                        e.toString());
                handshakeFailed = true;
                socket.close();
            }
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            return socket.getOutputStream();
        }

        @Override
        public synchronized void close() throws IOException {
            try {
                socket.close();
            } finally {
                super.close();
            }
        }

        @Override
        public void shutdownInput() throws IOException {
            socket.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public boolean isConnected() {
            return socket.isConnected();
        }

        @Override
        public boolean isBound() {
            return socket.isBound();
        }

        @Override
        public boolean isClosed() {
            return socket.isClosed();
        }

        @Override
        public boolean isInputShutdown() {
            return socket.isInputShutdown();
        }

        @Override
        public boolean isOutputShutdown() {
            return socket.isOutputShutdown();
        }

        @Override
        public InetAddress getInetAddress() {
            return socket.getInetAddress();
        }

        @Override
        public int getPort() {
            return socket.getPort();
        }

        @Override
        public InetAddress getLocalAddress() {
            return socket.getLocalAddress();
        }

        @Override
        public int getLocalPort() {
            return socket.getLocalPort();
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public synchronized void setSoTimeout(int timeout) throws SocketException {
            socket.setSoTimeout(timeout);
        }

        @Override
        public synchronized int getSoTimeout() throws SocketException {
            return socket.getSoTimeout();
        }

        @Override
        public void setTcpNoDelay(boolean on) throws SocketException {
            socket.setTcpNoDelay(on);
        }

        @Override
        public boolean getTcpNoDelay() throws SocketException {
            return socket.getTcpNoDelay();
        }

        @Override
        public void setKeepAlive(boolean on) throws SocketException {
            socket.setKeepAlive(on);
        }

        @Override
        public boolean getKeepAlive() throws SocketException {
            return socket.getKeepAlive();
        }

        @Override
        public void setSoLinger(boolean on, int linger) throws SocketException {
            socket.setSoLinger(on, linger);
        }

        @Override
        public int getSoLinger() throws SocketException {
            return socket.getSoLinger();
        }

        @Override
        public synchronized void setSendBufferSize(int size) throws SocketException {
            socket.setSendBufferSize(size);
        }

        @Override
        public synchronized int getSendBufferSize() throws SocketException {
            return socket.getSendBufferSize();
        }

        @Override
        public synchronized void setReceiveBufferSize(int size) throws SocketException {
            socket.setReceiveBufferSize(size);
        }

        @Override
        public synchronized int getReceiveBufferSize() throws SocketException {
            return socket.getReceiveBufferSize();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return socket.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return socket.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            socket.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return socket.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return socket.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            socket.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return socket.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return socket.getHandshakeSession();
        }

        @Override
        public void addHandshakeCompletedListener(HandshakeCompletedListener listener) {
            socket.addHandshakeCompletedListener(listener);
        }

        @Override
        public void removeHandshakeCompletedListener(HandshakeCompletedListener listener) {
            socket.removeHandshakeCompletedListener(listener);
        }

        @Override
        public void setUseClientMode(boolean mode) {
            socket.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return socket.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            socket.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return socket.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            socket.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return socket.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            socket.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return socket.getEnableSessionCreation();
        }

        @Override
        public SSLParameters getSSLParameters() {
            return socket.getSSLParameters();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            socket.setSSLParameters(params);
        }

        @Override
        public String getApplicationProtocol() {
            return socket.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return socket.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLSocket, List<String>, String> selector) {
            socket.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLSocket, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return socket.getHandshakeApplicationProtocolSelector();
        }

        @Override
        public String toString() {
            return "guarded " + socket;
        }
    }
}
