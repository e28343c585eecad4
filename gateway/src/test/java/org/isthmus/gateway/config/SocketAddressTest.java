package org.isthmus.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

/** Addresses in the config are IP literals only, so reading the file never does a name lookup. */
class SocketAddressTest {

    @Test
    void literalsWithAndWithoutPorts() {
        assertThat(GatewayConfig.socketAddress("127.0.0.53", 53)).contains(new InetSocketAddress("127.0.0.53", 53));
        assertThat(GatewayConfig.socketAddress("10.0.0.1:5353", 53)).contains(new InetSocketAddress("10.0.0.1", 5353));
        assertThat(GatewayConfig.socketAddress("[::1]:5353", 53)).contains(new InetSocketAddress("::1", 5353));
        assertThat(GatewayConfig.socketAddress("::1", 53)).contains(new InetSocketAddress("::1", 53));
    }

    @Test
    void textThatIsNoLiteralIsRefusedWithoutALookup() {
        assertThat(GatewayConfig.socketAddress("999.1.1.1", 53)).isEmpty();
        assertThat(GatewayConfig.socketAddress("1.2.3", 53)).isEmpty();
        assertThat(GatewayConfig.socketAddress("dns.example", 53)).isEmpty();
        assertThat(GatewayConfig.socketAddress("[::1", 53)).isEmpty();
        assertThat(GatewayConfig.socketAddress("10.0.0.1:0", 53)).isEmpty();
    }
}
