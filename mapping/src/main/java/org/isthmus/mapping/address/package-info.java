/**
 * Addresses on each side and the rules between them: JIDs (RFC 7622), SIP URIs (RFC 3261 §19),
 * the neutral im: URI (RFC 3860), JID escaping (XEP-0106) and the address mapping of RFC 7247 §6.
 */
package org.isthmus.mapping.address;
