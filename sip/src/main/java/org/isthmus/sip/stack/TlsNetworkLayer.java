package org.isthmus.sip.stack;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;

/**
 * JAIN-SIP's socket factory with the edge's own {@link SSLContext} for TLS, so that certificates come
 * from the edge's settings and not from JVM-wide system properties (JAIN-SIP's own {@code SslNetworkLayer}
 * reads key stores from files named by properties). Plain sockets are as the stack's default layer makes
 * them. Outgoing connections are bounded by {@code connectTimeoutMillis}.
 */
final class TlsNetworkLayer implements NetworkLayer {

    private final SSLContext context;
    private final int connectTimeoutMillis;

    TlsNetworkLayer(SSLContext context, int connectTimeoutMillis) {
        this.context = context;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new ServerSocket(port, backlog, bindAddress);
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, backlog, bindAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return connect(new Socket(), address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(localAddress, 0));
        }
        return connect(s, address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket s = new Socket();
        if (localAddress != null) {
            s.bind(new InetSocketAddress(localAddress, localPort));
        }
        return connect(s, address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return createSSLSocket(address, port, null);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        Socket plain = createSocket(address, port, localAddress);
        return (SSLSocket) context.getSocketFactory().createSocket(plain, address.getHostAddress(), port, true);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return new DatagramSocket();
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress bindAddress) throws SocketException {
        return bindAddress == null ? new DatagramSocket(port) : new DatagramSocket(port, bindAddress);
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        // The context is given at construction; the stack adds nothing.
    }

    private Socket connect(Socket s, InetAddress address, int port) throws IOException {
        try {
            s.connect(new InetSocketAddress(address, port), connectTimeoutMillis);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
