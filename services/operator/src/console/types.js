// @ts-check
// The shapes the console reads from the operator API, as far as the pages use them.

/** @typedef {{ name: string, phone?: string, email?: string }} Recipient */
/** @typedef {{ messageId: string, status?: string }} ResendLink */

/**
 * One row of a list: a notification's latest state.
 * @typedef {{
 *   messageId: string, eventId: string, channel: string, status: string, updatedAt: string, urgency?: string,
 *   recipient?: Recipient, reason?: string, reasonText?: string, resendable: boolean, resentAs?: ResendLink,
 * }} NotificationItem
 */

/** @typedef {{ byStatus: Record<string, number>, byChannel: Record<string, number> }} Totals */
/** @typedef {{ items: NotificationItem[], total: number, pageSize: number, totals: Totals }} NotificationPage */

/**
 * @typedef {{
 *   attempt: number, at: string, outcome: string, provider?: string, answer?: string,
 *   errorClass?: string, code?: string, nextAttemptAt?: string,
 * }} Attempt
 */
/** @typedef {{ at: string, status: string, attempt?: number, provider?: string, reason?: string, error?: { message: string } }} StatusChange */

/**
 * @typedef {NotificationItem & {
 *   attemptHistory: Attempt[], history: StatusChange[], resendOf?: string,
 *   resend?: { by: string, at: string }, resends: ResendLink[],
 * }} NotificationDetail
 */

/** @typedef {{ name: string, canResend: boolean, isAdmin: boolean, devOutbox: boolean }} Me */
/** @typedef {{ messageId: string }} Resent */

/**
 * @typedef {{
 *   id: string, state: string, total: number, done: number, failed: number, skipped: number,
 *   createdBy: string, createdAt: string, filter: Record<string, string>,
 * }} ResendJob
 */

/** @typedef {{ channel: string, messageId: string, status: string, resendOf?: string }} ReportChannel */
/** @typedef {{ id: string, name?: string, phone?: string, email?: string, channels: ReportChannel[] }} ReportRecipient */
/**
 * @typedef {{
 *   eventId: string, source?: string, total: number, counts: Record<string, number>,
 *   recipients: ReportRecipient[], unreached?: Array<{ id: string, name?: string }>,
 * }} EventReport
 */

/**
 * @typedef {{
 *   at: string, actor: string, action: string, outcome: string, status?: number,
 *   messageIds?: string[], jobId?: string, filter?: unknown, details?: unknown,
 * }} AuditEntry
 */
/** @typedef {{ messageId: string, to: string, subject: string, html: string, text: string, ics?: string, at: string }} CapturedEmail */
/** @typedef {{ to: string, body: string, encoding: string, segments: number, at: string }} CapturedSms */

/** @template T @typedef {{ items: T[], total: number }} Items */

export {};
