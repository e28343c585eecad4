package org.isthmus.sip.stack;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import gov.nist.core.net.NetworkLayer;
import gov.nist.javax.sip.SipStackImpl;

import org.isthmus.sip.SipMessageLimits;

/**
 * The stack's socket factory with the edge's {@link SipMessageLimits} kept on the UDP, TCP and TLS
 * listening sockets: what they receive passes {@link MessageFraming} before JAIN-SIP reads it (see
 * {@link GuardedDatagramSocket}, {@link GuardedServerSocket}, {@link GuardedSslServerSocket}). Every other
 * socket is the wrapped layer's.
 */
final class GuardedNetworkLayer implements NetworkLayer {

    private final NetworkLayer layer;
    private final SipMessageLimits limits;
    private final long stallMillis;

    /** @param stallMillis the longest pause allowed inside a TCP message */
    GuardedNetworkLayer(NetworkLayer layer, SipMessageLimits limits, long stallMillis) {
        this.layer = layer;
        this.limits = limits;
        this.stallMillis = stallMillis;
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new GuardedServerSocket(port, backlog, bindAddress, limits, stallMillis);
    }

    @Override
    public DatagramSocket createDatagramSocket(int port, InetAddress bindAddress) throws SocketException {
        return new GuardedDatagramSocket(port, bindAddress, limits);
    }

    @Override
    public SSLServerSocket createSSLServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        return new GuardedSslServerSocket(layer.createSSLServerSocket(port, backlog, bindAddress), limits, stallMillis);
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return layer.createSocket(address, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return layer.createSocket(address, port, localAddress);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return layer.createSocket(address, port, localAddress, localPort);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port) throws IOException {
        return layer.createSSLSocket(address, port);
    }

    @Override
    public SSLSocket createSSLSocket(InetAddress address, int port, InetAddress localAddress) throws IOException {
        return layer.createSSLSocket(address, port, localAddress);
    }

    @Override
    public DatagramSocket createDatagramSocket() throws SocketException {
        return layer.createDatagramSocket();
    }

    @Override
    public void setSipStack(SipStackImpl sipStack) {
        layer.setSipStack(sipStack);
    }
}
