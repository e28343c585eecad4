/**
 * Test helpers for SIP scenarios: a JAIN-SIP user agent on loopback that sends requests to an edge and
 * answers the requests an edge sends, so tests read as "send this, expect that".
 */
package org.isthmus.sip.testing;
