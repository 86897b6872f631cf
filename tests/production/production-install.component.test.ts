/**
 * THE PRODUCTION-INSTALL TEST. The image installs with `npm ci --omit=dev`, so a package that the
 * code imports but only a devDependency provides is missing there and nowhere else: every other test
 * runs with the full install. Here the Dockerfile's files are copied to a folder, installed as the
 * Dockerfile does (offline, from the npm cache), and every service the compose file starts and the
 * admin CLI are run from that copy, as the containers run them (`node --import tsx <root>`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createECDH } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, withPrefix } from '@gateway/contracts';
import { freePort } from '@gateway/infra';
import { containerEnv, readCompose, type ComposeService } from '@gateway/infra/test/compose-support';
import { produceRendered } from '@gateway/operator/test/support';
import { connectedProducer, produceMessages, smsMessage } from '@gateway/worker-core/test/support/kafka';
import { startSmtpServer, type TestSmtpServer } from '@gateway/worker-email/test/smtp-test-server';
import { twilioEnv } from '@gateway/worker-sms/test/support/harness';
import { startLoopbackTwilio, twilioAccount, type LoopbackTwilio } from '@gateway/worker-sms/test/support/loopback-providers';
import { buildImageCopy, type ImageCopy } from '../support/image-copy';
import { createTopics, kafkaBrokers, redisUrl, uniqueName, waitFor } from '../support/infra';

jest.setTimeout(300_000);

const ROOT = join(__dirname, '..', '..');
const WRONG = '+84900000009';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  name: string;
  child: ChildProcess;
  readyUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** A VAPID key pair as `web-push generate-vapid-keys` makes one (P-256, base64url). */
function vapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url') };
}

/** The composition root a container runs (`node --import tsx <module>`). */
function argvOf(service: ComposeService): string[] {
  return service.entrypoint ?? service.command ?? [];
}

describe('PRODUCTION INSTALL: npm ci --omit=dev in a copy of the image, every service and the admin CLI run from it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-production-install-'));
  const app = join(dir, 'app');
  const keysFile = join(dir, 'keys.json');
  const prefix = uniqueName('prod-install');
  const topics = withPrefix(prefix);
  const { compose } = readCompose();
  const started: Started[] = [];
  let image: ImageCopy;
  let smtp: TestSmtpServer;
  let twilio: LoopbackTwilio;
  let account: { sid: string; token: string };
  let shared: Record<string, string>;

  /** From the copy, with only what a container has: PATH, HOME, the image's ENV and `env`. */
  function spawnInCopy(argv: string[], env: Record<string, string>): ChildProcess {
    const [command = 'node', ...args] = argv;
    return spawn(command, args, { cwd: app, env: { PATH: process.env.PATH ?? '', HOME: dir, ...image.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  function run(argv: string[], env: Record<string, string>): Promise<Result> {
    const child = spawnInCopy(argv, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  const cli = compose.services.admin;
  const cliArgv = (args: string[]): string[] => [...(cli?.entrypoint ?? []), ...args];
  const cliEnv = (): Record<string, string> => ({ GATEWAY_KEYS_FILE: keysFile, GATEWAY_OPERATOR_URL: urlOf('operator') });

  function urlOf(name: string): string {
    const found = started.find((s) => s.name === name);
    if (!found) throw new Error(`${name} was not started`);
    return new URL(found.readyUrl).origin;
  }

  beforeAll(async () => {
    // Mirrors the Dockerfile step by step; `npm ci` from the local cache, as a fresh machine's npm has it after the first install.
    image = buildImageCopy(ROOT, app, (cwd, env) => {
      execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd, env: { ...process.env, ...env }, stdio: 'pipe' });
    });
    await createTopics(kafkaBrokers(), allTopics(topics), 1);
    smtp = await startSmtpServer();
    account = twilioAccount();
    twilio = await startLoopbackTwilio([account]);
    twilio.answer = (req) => (req.to === WRONG ? { kind: 'error', status: 400, code: 21211, message: `The 'To' number ${WRONG} is not a valid phone number.` } : { kind: 'accept' });
    const vapid = vapidKeys();
    shared = {
      KAFKA_BROKERS: kafkaBrokers().join(','),
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: `${prefix}:`,
      TOPIC_PREFIX: prefix,
      KAFKA_CREATE_TOPICS: 'false',
      TOPIC_PARTITIONS: '1',
      LOG_LEVEL: 'warn',
      GATEWAY_KEYS_FILE: keysFile,
      RENDERER_GROUP_ID: `${prefix}-renderer`,
      STATUS_GROUP_ID: `${prefix}-status`,
      SMS_WORKER_GROUP_ID: `${prefix}-sms`,
      EMAIL_WORKER_GROUP_ID: `${prefix}-email`,
      PUSH_WORKER_GROUP_ID: `${prefix}-push`,
      INAPP_WORKER_GROUP_ID: `${prefix}-inapp`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMS_PROVIDERS: 'twilio',
      ...twilioEnv(twilio.url, account),
      WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@example.gov.vn',
      WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
    };
  }, 600_000);

  afterAll(async () => {
    for (const s of started) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await smtp?.close();
    await twilio?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the image is installed, then devDependencies are left out and what the services run with is there', () => {
    expect(image.cmd.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    // The loader every container starts with is the root's own dependency, not another workspace's by chance.
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(root.dependencies ?? {})).toContain(image.cmd[2]);
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'jest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(app, 'services', 'gateway', 'test'))).toBe(false);
  });

  const gatewayServices = Object.entries(compose.services).filter(([, service]) => argvOf(service)[2] === 'tsx' && service.healthcheck);

  it.each(gatewayServices.map(([name]) => name))('when the %s container command is run from the copy, then it answers ready', async (name) => {
    const service = compose.services[name];
    if (!service) throw new Error(name);
    // The container's environment, with this test's Kafka, Redis, topics, relay and provider.
    const env: Record<string, string> = { ...containerEnv(service, shared), ...shared };
    // Its listen settings (..._HOST / ..._PORT in the compose file) on loopback and a free port; the
    // health check's port names which of them it probes.
    const probed = /127\.0\.0\.1:(\d+)\/readyz/.exec(JSON.stringify(service.healthcheck?.test ?? []))?.[1];
    let readyPort: number | undefined;
    for (const [setting, value] of Object.entries(service.environment ?? {})) {
      if (setting.endsWith('_HOST') && value === '0.0.0.0') env[setting] = '127.0.0.1';
      if (setting.endsWith('_PORT') && setting !== 'SMTP_PORT' && String(value) === probed) {
        readyPort = await freePort();
        env[setting] = String(readyPort);
      }
    }
    if (readyPort === undefined) throw new Error(`${name}: no listen port matches its health check`);
    const child = spawnInCopy(argvOf(service), env);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const readyUrl = `http://127.0.0.1:${readyPort}/readyz`;
    started.push({ name, child, readyUrl, output: () => output, exited });
    const died = exited.then((code) => {
      throw new Error(`${name} exited with ${code} before it was ready:\n${output}`);
    });
    await Promise.race([waitFor(async () => (await fetch(readyUrl)).ok, { timeoutMs: 120_000, intervalMs: 250, message: `${name} ready at ${readyUrl}\n${output}` }), died]);
    died.catch(() => undefined);
  });

  it('when the admin CLI is run as the admin container runs it, then --help, keys create / list and resend --help work', async () => {
    const help = await run(cliArgv(['--help']), cliEnv());
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toContain('resend');

    const created = await run(cliArgv(['keys', 'create', 'van-thu', '--scopes', 'notifications:read,notifications:resend']), cliEnv());
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/gw_[A-Za-z0-9_-]{20,}/);
    const listed = await run(cliArgv(['keys', 'list']), cliEnv());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('van-thu');

    const resendHelp = await run(cliArgv(['resend', '--help']), cliEnv());
    expect(resendHelp.code).toBe(0);
    expect(resendHelp.stdout).toContain('--status');
  });

  it('when an SMS failed and `resend` runs on a terminal, then it draws its progress bar and the resend reaches the provider', async () => {
    const key = /gw_[A-Za-z0-9_-]{20,}/.exec((await run(cliArgv(['keys', 'create', 'quan-tri', '--scopes', 'admin']), cliEnv())).stdout)?.[0];
    if (!key) throw new Error('no key created');
    const eventId = `${prefix}-hop`;
    const message = smsMessage(prefix, 1, { eventId, recipient: { id: 'nguyen-van-an', name: 'Nguyễn Văn An', phone: WRONG } });
    const producer = await connectedProducer();
    try {
      await produceRendered(producer, topics, [message]);
      await produceMessages(producer, topics.sms, [message]);
    } finally {
      await producer.disconnect();
    }
    const operator = urlOf('operator');
    await waitFor(
      async () => {
        const res = await fetch(`${operator}/v1/notifications?eventId=${eventId}&status=failed&pageSize=0`, { headers: { authorization: `Bearer ${key}` } });
        return ((await res.json()) as { total?: number }).total === 1;
      },
      { timeoutMs: 60_000, message: 'the refused SMS listed as failed' },
    );
    // The number is right again at the provider's end: the resend goes through.
    twilio.answer = () => ({ kind: 'accept' });

    // The CLI draws progress only on a terminal (its progress stream is a TTY): script(1) gives it one.
    const command = cliArgv(['resend', '--status', 'failed', '--event', eventId, '--key', key, '--poll-ms', '100'])
      .map((word) => `'${word.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const onTerminal = await run(['script', '-qec', command, '/dev/null'], cliEnv());
    const screen = onTerminal.stdout + onTerminal.stderr;
    expect(screen).not.toMatch(/Cannot find (package|module)/);
    expect(screen).toContain('Gửi lại / resending |');
    expect(screen).toMatch(/1\/1 resent, 0 failed, 0 skipped/);
    expect(onTerminal.code).toBe(0);
    await waitFor(() => twilio.accepted.some((r) => r.messageId.startsWith('r-')), { timeoutMs: 60_000, message: 'the resend accepted by Twilio' });
  });

  it('when every service is sent SIGTERM, then each stops cleanly with exit code 0', async () => {
    expect(started.map((s) => s.name).sort()).toEqual(gatewayServices.map(([name]) => name).sort());
    for (const s of started) s.child.kill('SIGTERM');
    const codes = await Promise.all(started.map(async (s) => ({ name: s.name, code: await s.exited })));
    expect(codes).toEqual(started.map((s) => ({ name: s.name, code: 0 })));
  });
});
