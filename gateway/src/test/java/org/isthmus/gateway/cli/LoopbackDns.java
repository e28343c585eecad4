package org.isthmus.gateway.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.isthmus.sip.SipDns;

/**
 * A DNS server on a loopback UDP port that answers SRV questions from a fixed table (RFC 1035 §4.1,
 * RFC 2782) and NXDOMAIN for any other name, so the real lookup code runs and no query leaves the
 * machine.
 */
final class LoopbackDns implements AutoCloseable {

    private static final int TYPE_SRV = 33;

    private final Map<String, List<SipDns.Srv>> records;
    private final DatagramSocket socket;
    private final Thread thread;

    /** Answers for {@code records}, by name without the final dot. */
    LoopbackDns(Map<String, List<SipDns.Srv>> records) throws SocketException {
        this.records = Map.copyOf(records);
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** The server's address, as sip.dns.servers writes it. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket query = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(query);
                byte[] answer = answer(query.getData(), query.getLength());
                socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                // Closed, or a query this server does not understand: there is no one to tell.
            }
        }
    }

    private byte[] answer(byte[] q, int length) {
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (q[at] != 0) {
            int label = q[at] & 0xFF;
            name.append(name.length() == 0 ? "" : ".").append(new String(q, at + 1, label, StandardCharsets.US_ASCII));
            at += label + 1;
        }
        int questionEnd = at + 5;
        int type = ((q[at + 1] & 0xFF) << 8) | (q[at + 2] & 0xFF);
        List<SipDns.Srv> found = records.get(name.toString().toLowerCase(Locale.ROOT));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q, 0, 2);
        short16(out, found == null ? 0x8583 : 0x8580);
        List<SipDns.Srv> answers = found != null && type == TYPE_SRV ? found : List.of();
        short16(out, 1);
        short16(out, answers.size());
        short16(out, 0);
        short16(out, 0);
        out.write(q, 12, questionEnd - 12);
        for (SipDns.Srv srv : answers) {
            short16(out, 0xC00C);
            short16(out, TYPE_SRV);
            short16(out, 1);
            short16(out, 0);
            short16(out, 300);
            byte[] target = name(srv.target());
            short16(out, 6 + target.length);
            short16(out, srv.priority());
            short16(out, srv.weight());
            short16(out, srv.port());
            out.write(target, 0, target.length);
        }
        return out.toByteArray();
    }

    private static byte[] name(String dotted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!dotted.isEmpty()) {
            for (String label : dotted.split("\\.")) {
                byte[] b = label.getBytes(StandardCharsets.US_ASCII);
                out.write(b.length);
                out.write(b, 0, b.length);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xFF);
        out.write(value & 0xFF);
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5_000);
    }
}
