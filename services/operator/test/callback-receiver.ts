import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { callbackBatchSchema, type CallbackBatch } from '@gateway/contracts';

type Verify = (secret: string, header: string, rawBody: string, nowSeconds?: number) => boolean;

/** The verification snippet exactly as contracts/README.md shows it to the sending teams. */
export function documentedVerifier(): Verify {
  const readme = readFileSync(join(dirname(require.resolve('@gateway/contracts/package.json')), 'README.md'), 'utf8');
  const block = /<!-- callback-verify-snippet -->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('contracts/README.md has no callback verification snippet');
  const fn: unknown = runInNewContext(`${block}\nverifyGatewaySignature`, { require, Buffer });
  if (typeof fn !== 'function') throw new Error('the snippet does not define verifyGatewaySignature');
  return (secret, header, rawBody, nowSeconds) => fn(secret, header, rawBody, ...(nowSeconds === undefined ? [] : [nowSeconds])) === true;
}

export interface ReceivedCallback {
  batch: CallbackBatch;
  verified: boolean;
  deliveryHeader: string | undefined;
  answered: number | 'silence';
}

/** What the receiver answers to its nth request (from 1): a status, or never answering. */
export type ReceiverMode = (nth: number) => number | 'silence';

export interface CallbackReceiver {
  url: string;
  requests: ReceivedCallback[];
  /** Batches it answered 2xx, the first time each id was seen (what the sending system processed). */
  processed: CallbackBatch[];
  mode: ReceiverMode;
  close(): Promise<void>;
}

/** A sending system's callback endpoint on loopback, verifying every signature with the documented snippet. */
export async function startCallbackReceiver(secret: () => string, mode: ReceiverMode = () => 200): Promise<CallbackReceiver> {
  const verify = documentedVerifier();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const seen = new Set<string>();
  const receiver: CallbackReceiver = { url: '', requests: [], processed: [], mode, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = receiver.mode(receiver.requests.length + 1);
      const batch = callbackBatchSchema.parse(JSON.parse(raw));
      const verified = verify(secret(), String(req.headers['x-gateway-signature'] ?? ''), raw);
      const header = req.headers['x-gateway-delivery'];
      receiver.requests.push({ batch, verified, deliveryHeader: typeof header === 'string' ? header : undefined, answered: answer });
      if (answer === 'silence') {
        hanging.add(res);
        return;
      }
      if (answer >= 200 && answer < 300 && verified && !seen.has(batch.id)) {
        seen.add(batch.id);
        receiver.processed.push(batch);
      }
      res.writeHead(answer).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  receiver.url = `http://127.0.0.1:${address.port}/gateway/callback`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return receiver;
}
