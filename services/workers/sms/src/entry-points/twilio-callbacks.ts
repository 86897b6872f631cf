import express, { type Router } from 'express';
import { deliveryStatusSchema, type DeliveryStatus, type Topics } from '@gateway/contracts';
import { PROBLEM_BASE, sendProblem, type Logger } from '@gateway/common';
import type { UndeliveredReport } from '@gateway/worker-core';
import { validateTwilioRequest } from '../adapters/twilio-signature';
import { TWILIO_PROVIDER } from '../adapters/twilio';

export interface TwilioCallbackOptions {
  authToken: string;
  /** The public URL Twilio calls (what we put in StatusCallback, without the query): proxies change the URL the app sees. */
  publicUrl: string;
  topics: Topics;
  /** Sends one status record and resolves when Kafka acknowledged it. */
  publish: (record: { topic: string; key: string; value: string; headers: Record<string, string> }) => Promise<void>;
  logger: Logger;
  /** The provider name in the published status. */
  provider?: string;
  /**
   * Told before an `undelivered` status is published, so the message's kept copy becomes a failed
   * record an operator can resend; resolves with that record, or undefined when no copy is kept.
   */
  onUndelivered?: (messageId: string, report: UndeliveredReport) => Promise<unknown>;
}

/** Twilio's final MessageStatus values → our statuses; intermediate ones (queued, sent, …) add nothing. */
const FINAL: Readonly<Record<string, 'delivered' | 'undelivered'>> = { delivered: 'delivered', undelivered: 'undelivered', failed: 'undelivered' };

/**
 * POST /v1/callbacks/twilio?messageId=…&eventId=…: Twilio's status callback. The signature is
 * checked against the configured public URL plus the query Twilio called, with the form fields;
 * a bad or missing one gets 403 and publishes nothing.
 */
export function createTwilioCallbackRouter(options: TwilioCallbackOptions): Router {
  const router = express.Router();
  const provider = options.provider ?? TWILIO_PROVIDER;
  const log = options.logger.child({ component: 'twilio-callbacks' });
  router.post('/', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (typeof value === 'string') params[name] = value;
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const signedUrl = `${options.publicUrl}${query}`;
    if (!validateTwilioRequest(options.authToken, req.get('x-twilio-signature'), signedUrl, params)) {
      log.warn({ path: req.path, hasSignature: Boolean(req.get('x-twilio-signature')) }, 'twilio callback refused: bad signature');
      sendProblem(res, { type: `${PROBLEM_BASE}forbidden`, title: 'Invalid Twilio signature', status: 403 });
      return;
    }
    const messageId = typeof req.query.messageId === 'string' ? req.query.messageId : undefined;
    const eventId = typeof req.query.eventId === 'string' ? req.query.eventId : undefined;
    const state = FINAL[params.MessageStatus ?? ''];
    if (!state) {
      res.status(204).end();
      return;
    }
    const candidate: DeliveryStatus = {
      messageId: messageId ?? '',
      eventId: eventId ?? '',
      channel: 'sms',
      status: state,
      at: new Date().toISOString(),
      provider,
      ...(params.MessageSid ? { providerMessageId: params.MessageSid } : {}),
      ...(params.ErrorCode ? { error: { class: 'permanent' as const, code: params.ErrorCode, message: `twilio ${params.MessageStatus} (error ${params.ErrorCode})` } } : {}),
    };
    const parsed = deliveryStatusSchema.safeParse(candidate);
    if (!parsed.success) {
      // Signed by Twilio but not one of ours (a StatusCallback set by someone else): nothing to record.
      sendProblem(res, { type: `${PROBLEM_BASE}invalid-callback`, title: 'The callback does not name one of our messages', status: 400 });
      return;
    }
    // The copy first: once operators see "undelivered", its resend must find the message. Yet the
    // status matters more than the copy (whether Twilio calls again after a 5xx depends on the
    // callback URL's retry settings), so a store that cannot be written is logged and the status
    // still goes out.
    if (state === 'undelivered' && options.onUndelivered) {
      const { at, error } = parsed.data;
      const report = { at, provider, ...(error?.code ? { code: error.code, answer: error.message } : {}) };
      await options.onUndelivered(parsed.data.messageId, report).then(
        (record) => {
          if (record === undefined) log.info({ messageId: parsed.data.messageId }, 'undelivered, and no copy of it is kept: it cannot be resent from the console');
        },
        (err: unknown) => log.error({ err: (err as Error).message, messageId: parsed.data.messageId }, 'could not keep the undelivered message for a resend; its status is published anyway'),
      );
    }
    try {
      await options.publish({ topic: options.topics.status, key: parsed.data.messageId, value: JSON.stringify(parsed.data), headers: { 'event-id': parsed.data.eventId, 'message-status': state, 'message-id': parsed.data.messageId } });
    } catch (err) {
      log.error({ err: (err as Error).message, messageId }, 'could not store the delivery status');
      // A 503 asks Twilio to call again (if the callback URL's retry settings let it).
      sendProblem(res, { type: `${PROBLEM_BASE}unavailable`, title: 'Status could not be stored, try again', status: 503 });
      return;
    }
    res.status(204).end();
  });
  return router;
}
