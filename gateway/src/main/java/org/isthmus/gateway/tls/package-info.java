/**
 * The gateway's own TLS credentials: key pairs, self-signed certificates and certificate requests
 * whose subjectAltNames name the served domains (RFC 6125, RFC 6120 §13.7.1.2), as PEM files the
 * XMPP and SIP edges read.
 */
package org.isthmus.gateway.tls;
