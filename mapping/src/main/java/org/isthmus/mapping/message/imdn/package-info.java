/**
 * Disposition notifications for SIP MESSAGEs the gateway has already accepted (RFC 5438): what an IM
 * asked for ({@link org.isthmus.mapping.message.imdn.ImdnRequest}), and the reports of a late delivery
 * failure sent back to its SIP sender ({@link org.isthmus.mapping.message.imdn.FailureReports}): an
 * IMDN when the sender asked for one, else a plain-text notice.
 */
package org.isthmus.mapping.message.imdn;
