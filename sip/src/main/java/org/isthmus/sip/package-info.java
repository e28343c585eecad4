/**
 * The SIP edge of the gateway: a JAIN-SIP stack that answers pager-mode MESSAGE (RFC 3428), REGISTER
 * and OPTIONS requests and sends MESSAGE requests, speaking to the gateway only in the mapping
 * module's values and this package's small records.
 */
package org.isthmus.sip;
