/**
 * Addresses on each side and the rules between them: JIDs (RFC 7622), SIP and tel URIs (RFC 3261
 * §19, RFC 3966), the neutral im: and pres: URIs (RFC 3860, RFC 3859, RFC 3922 §3), JID escaping
 * (XEP-0106) and the per-domain address mapping of RFC 7247 §6 ({@link
 * org.isthmus.mapping.address.AddressMapper} under {@link org.isthmus.mapping.address.AddressRules}).
 */
package org.isthmus.mapping.address;
