/**
 * Presence over SIP as the edge hands it to the gateway (RFC 3856, RFC 6665, RFC 3903): subscription
 * dialogs as values the gateway stores and the edge resumes from (with their text codec), the received
 * SUBSCRIBE and NOTIFY requests, the gateway's decisions, and the outcomes of sent requests.
 */
package org.isthmus.sip.presence;
