/**
 * The admin HTTP server: {@code /health}, Prometheus {@code /metrics} and read-only JSON views of the
 * session table, on Netty's HTTP codec, bounded in what it reads and holds.
 */
package org.isthmus.gateway.admin;
