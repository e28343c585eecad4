/**
 * The SIP edge of the gateway: a JAIN-SIP stack that answers pager-mode MESSAGE (RFC 3428), REGISTER,
 * OPTIONS, SUBSCRIBE and NOTIFY requests and sends MESSAGE, NOTIFY, SUBSCRIBE and PUBLISH requests, speaking to the gateway only in the mapping
 * module's values and this package's small records.
 */
package org.isthmus.sip;
