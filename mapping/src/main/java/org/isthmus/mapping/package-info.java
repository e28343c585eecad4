/**
 * The CPIM abstract layer (RFC 3922, refined by RFC 7247, 7572 and 8048): protocol-neutral values and
 * the rules that translate XMPP and SIP/SIMPLE to and from them. Pure: no I/O, no threads, no logging.
 * A failure to map is a value ({@link org.isthmus.mapping.Rejected}), never an escaping exception.
 */
package org.isthmus.mapping;
