/** The built-in registrar and location service (RFC 3261 §10): where registered SIP users can be reached. */
package org.isthmus.gateway.registrar;
