/** End-to-end secured objects (RFC 3923) at the gateway: the address check and optional signature verification. */
package org.isthmus.gateway.e2e;
