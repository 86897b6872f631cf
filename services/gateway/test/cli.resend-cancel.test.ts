import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProcess } from './cli-support';

/**
 * Ctrl-C during `resend`, against a stand-in operator that speaks the agreed resend-jobs API and
 * keeps the job running until it is cancelled (the real operator finishes small jobs too fast to
 * interrupt; the real API is exercised in cli.resend.component.test.ts).
 */
describe('resend interrupted with Ctrl-C', () => {
  let server: Server;
  let url = '';
  const requests: { method: string; path: string; auth: string; body: string }[] = [];
  let polled: () => void = () => undefined;
  const firstPoll = new Promise<void>((r) => (polled = r));
  const job = { id: 'job-1', state: 'running', total: 10, done: 3, failed: 1, skipped: 0 };

  const bodyOf = (req: IncomingMessage) => new Promise<string>((r) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => r(text));
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      void bodyOf(req).then((body) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization ?? '', body });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && req.url === '/v1/resend-jobs') {
          res.statusCode = 202;
          res.end(JSON.stringify({ id: job.id, total: job.total }));
        } else if (req.method === 'GET' && req.url === `/v1/resend-jobs/${job.id}`) {
          polled();
          res.end(JSON.stringify(job));
        } else if (req.method === 'POST' && req.url === `/v1/resend-jobs/${job.id}/cancel`) {
          job.state = 'cancelled';
          res.end(JSON.stringify(job));
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((r) => server.close(r)));

  it('when Ctrl-C comes while the job runs, then the CLI asks the operator to cancel, waits for "cancelled", reports the counts and exits 1', async () => {
    const { child, done } = startProcess(process.execPath, ['--import', 'tsx', 'services/gateway/src/cli/index.ts', 'resend', '--status', 'failed', '--channel', 'sms', '--poll-ms', '50'], { GATEWAY_OPERATOR_URL: url, GATEWAY_KEY: 'gw_test' });
    await firstPoll;
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('resend job job-1: 10 notification(s) match {"status":"failed","channel":"sms"}');
    expect(result.stderr).toContain('cancelling job job-1');
    expect(result.stdout).toContain('cancelled: 3/10 resent, 1 failed, 0 skipped');
    const created = requests.find((r) => r.method === 'POST' && r.path === '/v1/resend-jobs');
    expect(JSON.parse(created?.body ?? '{}')).toEqual({ filter: { status: 'failed', channel: 'sms' } });
    expect(requests.filter((r) => r.path === '/v1/resend-jobs/job-1/cancel')).toEqual([expect.objectContaining({ method: 'POST', auth: 'Bearer gw_test' })]);
  });
});
