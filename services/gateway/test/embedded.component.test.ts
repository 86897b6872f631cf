/**
 * The embedded mode end to end: `npm start` exactly as the README says, and the demo against the
 * embedded gateway (in-process bus and store, development sinks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '@gateway/tests/support/infra';
import { startDevGateway, type DevGateway } from '../src/dev';
import { runDemo, formatReport, FAILING_PERSON } from '../src/demo';

jest.setTimeout(120_000);
const ROOT = resolve(__dirname, '../../..');
// Free ports (0) so the test never collides with a gateway a developer is running.
const PORTS = { INTAKE_PORT: '0', RENDERER_PORT: '0', OPERATOR_PORT: '0', SMS_HTTP_PORT: '0', PUSH_PORT: '0', EMAIL_HTTP_PORT: '0' };
const withoutInfra = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...PORTS, GATEWAY_KEYS_FILE: join(mkdtempSync(join(tmpdir(), 'gw-embedded-')), 'keys.json') };
  delete env.KAFKA_BROKERS;
  delete env.REDIS_URL;
  return env;
};

describe('npm start (embedded defaults)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  });

  it('when started with nothing else running, then it prints the console and keys, serves the console, accepts an event, and stops cleanly on Ctrl-C', async () => {
    // Its own process group, so Ctrl-C can be sent the way a terminal sends it: to the whole group.
    child = spawn('npm', ['start'], { cwd: ROOT, env: withoutInfra(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('Send a first event'), { timeoutMs: 60_000, message: `npm start output:\n${out}` });
    expect(out).toMatch(/IN MEMORY ONLY/);
    const consoleUrl = /Console \(operators\):\s+(\S+)/.exec(out)?.[1] ?? '';
    const intake = /Intake:\s+(\S+)\/v1\/events/.exec(out)?.[1] ?? '';
    const admin = /admin\s+(\S+)/.exec(out)?.[1] ?? '';
    const viewer = /viewer\s+(\S+)/.exec(out)?.[1] ?? '';
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\/$/);
    expect(admin).not.toBe(viewer);

    const page = await fetch(consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    const body = readFileSync(join(ROOT, 'contracts/examples/meeting-scheduled-hoi-nghi-bch.json'), 'utf8');
    const res = await fetch(`${intake}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    const refused = await fetch(`${intake}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' }, body });
    expect(refused.status).toBe(403);

    const exited = new Promise<void>((r) => child?.once('exit', () => r()));
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    // The gateway itself stopped too: its ports no longer answer.
    await waitFor(() => fetch(`${intake}/healthz`).then(() => false, () => true), { timeoutMs: 15_000, message: 'the intake still answers after Ctrl-C' });
  });
});

describe('npm run demo against the embedded gateway', () => {
  let gateway: DevGateway;
  beforeAll(async () => {
    gateway = await startDevGateway(withoutInfra(), () => undefined);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('when the demo runs, then every message settles and the report matches what the development sinks captured, with exactly the one planned failure', async () => {
    expect(gateway.embedded).toBe(true);
    // Every service with an HTTP endpoint is ready (the push worker once both of its workers joined).
    for (const service of gateway.services.filter((s) => s.url)) {
      await waitFor(async () => (await fetch(`${service.url}/readyz`)).status === 200, { timeoutMs: 15_000, message: `${service.name} ready` });
    }
    expect(gateway.services.filter((s) => s.url).map((s) => s.name).sort()).toEqual(['intake', 'operator', 'push', 'renderer']);
    // readyz names what it checks here: the in-process bus and store, not a Kafka and a Redis there are none of.
    const memory = { kind: 'memory', ok: true };
    expect(await (await fetch(`${gateway.url('intake')}/readyz`)).json()).toEqual({ ready: true, bus: memory, store: memory });
    expect(await (await fetch(`${gateway.url('renderer')}/readyz`)).json()).toEqual({ ready: true, bus: memory, store: memory, consuming: true });
    expect(await (await fetch(`${gateway.url('operator')}/readyz`)).json()).toEqual({ ready: true, bus: memory, store: memory, consuming: true });
    const report = await runDemo(gateway, { timeoutMs: 90_000 });
    const outbox = gateway.sinks?.outbox;
    if (!outbox) throw new Error('the embedded gateway has development sinks');

    // The one message planned to fail: the SMS to the wrong number.
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ channel: 'sms' });
    expect(report.failures[0]?.reason).toContain(FAILING_PERSON.phone);
    for (const c of ['sms', 'email', 'push', 'inapp'] as const) {
      const r = report.channels[c];
      expect(r.messages).toBeGreaterThan(0);
      expect(r.sent + r.failed + r.skipped).toBe(r.messages);
      expect(r.other).toBe(0);
    }
    expect(report.channels.sms.sent).toBe(outbox.sms(100_000).length);
    expect(report.channels.email.sent).toBe(outbox.emails(100_000).length);
    expect(report.channels.push.sent).toBe(outbox.pushes(100_000).length);
    // Every SMS rendered was captured, but the refused one.
    expect(report.sms.messages).toBe(outbox.sms(100_000).length + 1);
    expect(report.sms.segments).toBeGreaterThan(outbox.sms(100_000).reduce((n, s) => n + s.segments, 0));
    expect(report.sms.segmentsWithDiacritics).toBeGreaterThanOrEqual(report.sms.segments);

    // The conference invitation reached every person of the sample directory (and the invented one).
    const directory = JSON.parse(readFileSync(join(ROOT, 'packages/directory/examples/sample-directory.json'), 'utf8')) as { people: Array<{ id: string }> };
    const invitation = report.events.find((e) => e.endsWith('-giay-moi')) ?? '';
    const invited = new Set(outbox.emails(100_000).filter((m) => m.eventId === invitation).map((m) => m.to));
    expect(invited.size).toBeGreaterThan(directory.people.length / 2);
    // A mật document's SMS carries a notice and a link, never the summary (trích yếu).
    const mat = JSON.parse(readFileSync(join(ROOT, 'contracts/examples/document-dispatched-mat.json'), 'utf8')) as { data: { summary: string } };
    const matSms = outbox.sms(100_000).filter((m) => m.eventId.endsWith('-mat'));
    expect(matSms.length).toBeGreaterThan(0);
    for (const m of matSms) expect(m.body).not.toContain(mat.data.summary.slice(0, 20));

    // The operator sees the failure and a corrected resend reaches the (development) provider, once.
    const failed = report.failures[0]?.messageId ?? '';
    const keys = gateway.keys;
    if (!keys) throw new Error('the embedded gateway made development keys');
    const operator = gateway.url('operator');
    const auth = { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' };
    await waitFor(async () => (await (await fetch(`${operator}/v1/notifications/${failed}`, { headers: auth })).json() as { status?: string }).status === 'failed', { timeoutMs: 15_000 });
    const viewerTry = await fetch(`${operator}/v1/notifications/${failed}/resend`, { method: 'POST', headers: { ...auth, authorization: `Bearer ${keys.viewer}` }, body: JSON.stringify({ phone: '0905 123 999' }) });
    expect(viewerTry.status).toBe(403);
    for (let click = 0; click < 2; click += 1) {
      const resend = await fetch(`${operator}/v1/notifications/${failed}/resend`, { method: 'POST', headers: auth, body: JSON.stringify({ phone: '0905 123 999', requestId: 'demo-fix-1' }) });
      expect(resend.status).toBe(202);
    }
    await waitFor(() => outbox.sms(100_000).some((m) => m.to === '+84905123999'), { timeoutMs: 15_000, message: 'the corrected SMS was not sent' });
    expect(outbox.sms(100_000).filter((m) => m.to === '+84905123999')).toHaveLength(1);

    // A web push lands in the user's inbox (the app's inbox API shows it), beside the in-app item.
    const push = outbox.pushes(100_000)[0];
    if (!push) throw new Error('no web push was captured');
    const inbox = (await (await fetch(`${gateway.url('push')}/v1/inbox?userId=${encodeURIComponent(push.userId)}&limit=100`, { headers: auth })).json()) as { items: Array<{ messageId: string; title: string }> };
    expect(inbox.items.find((i) => i.messageId === push.messageId)?.title).toBe(`[Thông báo đẩy] ${push.title}`);

    const text = formatReport(report, 'http://console');
    expect(text).toContain('Báo cáo gửi tin');
    expect(text).toContain(report.failures[0]?.messageId ?? 'missing');
  });
});

describe('npm run demo when a channel worker is not running', () => {
  let gateway: DevGateway | undefined;
  afterAll(async () => {
    await gateway?.stop();
  });

  it('when GATEWAY_SERVICES leaves the SMS worker out, then the demo fails at once naming it and why, before sending anything', async () => {
    gateway = await startDevGateway({ ...withoutInfra(), GATEWAY_SERVICES: 'intake,renderer,operator,email,push' }, () => undefined);
    await expect(runDemo(gateway, { timeoutMs: 90_000 })).rejects.toThrow(/workers are not running: sms \(sms messages\)\. GATEWAY_SERVICES leaves them out/);
    expect(gateway.sinks?.outbox.emails(10)).toEqual([]);
  });
});
