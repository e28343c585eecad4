/**
 * The Isthmus application: wires the XMPP and SIP edges to the CPIM layer, owns all mutable state
 * (in-flight messages, registrations), and starts and stops the whole gateway.
 */
package org.isthmus.gateway;
