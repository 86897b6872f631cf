import { createServer } from 'node:net';
import type { ChannelMessage } from '@gateway/contracts';
import { ProviderError, type ChannelSender } from '../../src';
import { withTimeout } from '@gateway/common';
import { SendTimeoutError } from '../../src/domain/errors';

/** One adapter built against its real loopback server, for one test. */
export interface SenderRig<M extends ChannelMessage> {
  sender: ChannelSender<M>;
  /** A message this sender can deliver; a new id on every call (some providers deduplicate by id). */
  message(): M;
  /** The server does not answer the next request at all (it reads it and stays silent). */
  hang(): void;
  /** The id the server holds for the last message it accepted (what it issued, or the Message-ID it received). */
  lastIssuedId(): string | undefined;
  /** Requests that reached the server so far. */
  requestsSeen(): number;
  /** A sender and message aimed at a port where nothing listens. */
  unreachable(): Promise<{ sender: ChannelSender<M>; message: M }>;
  close(): Promise<void>;
}

export interface ExpectedFailure {
  /** The provider's own code as the failure record keeps it. */
  code: string;
  /** The wait the provider asked for (Retry-After); a case without one expects none. */
  retryAfterMs?: number;
  /** Text of the provider's answer that the failure record must keep. */
  answer?: string;
  /** Text the error's message must hold (the reason an operator reads). */
  reason?: string;
}

export interface FailureCase<M extends ChannelMessage, R extends SenderRig<M>> {
  name: string;
  /** Scripts the server's answer. */
  arrange?(rig: R): void;
  /** Another sender of the same adapter to send with (e.g. wrong credentials). */
  sender?(rig: R): ChannelSender<M>;
  expected: ExpectedFailure;
  /** What else must hold for this provider after the failure (e.g. nothing accepted, subscription kept). */
  after?(rig: R): Promise<void> | void;
}

export interface ChannelSenderHarness<M extends ChannelMessage, R extends SenderRig<M>> {
  provider: string;
  start(): Promise<R>;
  /** At least one: the provider's overload or rate-limit answers, with Retry-After where it sends one. */
  transient: Array<FailureCase<M, R>>;
  /** At least one: the provider's own verdicts on the message. */
  permanent: Array<FailureCase<M, R>>;
  /** A message the adapter must refuse before any request (no address for its channel). */
  undeliverable: { name: string; message(rig: R): M; code: string };
  /** The adapter's own limit for one request, as configured in `start`. */
  timeoutMs: number;
  /** The code the adapter gives its own timeout. */
  timeoutCode: string;
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const outcome = await promise.then(
    () => new Error('expected the send to fail'),
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(ProviderError);
  return outcome as ProviderError;
}

function expectFailure(err: ProviderError, provider: string, errorClass: ProviderError['errorClass'], expected: ExpectedFailure): void {
  expect(err.errorClass).toBe(errorClass);
  expect(err.retriable).toBe(errorClass === 'transient');
  expect(err.details.provider).toBe(provider);
  expect(err.details.code).toBe(expected.code);
  expect(err.details.retryAfterMs).toBe(expected.retryAfterMs);
  if (expected.answer !== undefined) expect(err.details.answer).toContain(expected.answer);
  if (expected.reason !== undefined) expect(err.message).toContain(expected.reason);
}

/**
 * The ChannelSender contract, run against every provider adapter and its loopback server: what the
 * worker core relies on (the id, the provider name, transient vs permanent, Retry-After, a bounded
 * wait) holds for each of them the same way.
 */
export function describeChannelSenderConformance<M extends ChannelMessage, R extends SenderRig<M>>(harness: ChannelSenderHarness<M, R>): void {
  describe(`${harness.provider} sender conformance`, () => {
    let rig: R;

    beforeEach(async () => {
      rig = await harness.start();
    });
    afterEach(async () => {
      await rig.close();
    });

    it(`when built, then it is named "${harness.provider}"`, () => {
      expect(rig.sender.name).toBe(harness.provider);
    });

    it('when the server accepts, then the result names the provider and carries the id the server holds for the message', async () => {
      const result = await rig.sender.send(rig.message());
      const issued = rig.lastIssuedId();
      expect(issued).toEqual(expect.any(String));
      expect(result).toEqual({ provider: harness.provider, providerMessageId: issued });
    });

    it.each(harness.transient.map((c) => [c.name, c] as const))('when the server answers %s, then a transient error with its code', async (_name, c) => {
      c.arrange?.(rig);
      const sender = c.sender?.(rig) ?? rig.sender;
      expectFailure(await failureOf(sender.send(rig.message())), harness.provider, 'transient', c.expected);
      await c.after?.(rig);
    });

    it.each(harness.permanent.map((c) => [c.name, c] as const))('when the server answers %s, then a permanent error with its code', async (_name, c) => {
      c.arrange?.(rig);
      const sender = c.sender?.(rig) ?? rig.sender;
      expectFailure(await failureOf(sender.send(rig.message())), harness.provider, 'permanent', c.expected);
      await c.after?.(rig);
    });

    it('when the server reads the request and never answers, then the adapter ends the send with its own transient timeout, before the worker gives up on it', async () => {
      rig.hang();
      const before = rig.requestsSeen();
      // The worker's own safety net, far above the adapter's limit: reaching it would mean the adapter hangs.
      const err = await failureOf(withTimeout(rig.sender.send(rig.message()), harness.timeoutMs * 20, () => new SendTimeoutError(harness.provider, harness.timeoutMs * 20)));
      expect(err).not.toBeInstanceOf(SendTimeoutError);
      expectFailure(err, harness.provider, 'transient', { code: harness.timeoutCode });
      // The request was sent: a timeout, not a refused connection.
      expect(rig.requestsSeen()).toBe(before + 1);
    });

    it('when nothing listens at the provider address, then a transient error with the connection error code', async () => {
      const { sender, message } = await rig.unreachable();
      try {
        expectFailure(await failureOf(sender.send(message)), harness.provider, 'transient', { code: 'ECONNREFUSED' });
      } finally {
        await sender.close?.();
      }
    });

    it(`when ${harness.undeliverable.name}, then a permanent error without any request`, async () => {
      const before = rig.requestsSeen();
      expectFailure(await failureOf(rig.sender.send(harness.undeliverable.message(rig))), harness.provider, 'permanent', { code: harness.undeliverable.code });
      expect(rig.requestsSeen()).toBe(before);
    });
  });
}

/** A loopback port where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
