import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import webpush from 'web-push';
import { ConfigError } from '@gateway/common';
import { loadIntakeSettings } from '@gateway/intake';
import { loadRendererSettings } from '@gateway/renderer';
import { loadOperatorSettings } from '@gateway/operator';
import { loadSmsWorkerSettings } from '@gateway/worker-sms';
import { loadEmailWorkerSettings } from '@gateway/worker-email';
import { loadPushWorkerSettings } from '@gateway/worker-push';
import { loadCliSettings } from '@gateway/gateway';
import { runProcess } from '@gateway/gateway/test/cli-support';
import { composeSchemaValidator, containerEnv, hostPort, interpolate, parseCompose, readCompose, ROOT, settingsRead, type ComposeService } from './compose-support';

type Env = Record<string, string | undefined>;

/** Every gateway container: its composition root, its settings loader, and where it listens. */
const GATEWAY: Record<string, { main: string; load: (env: Env) => unknown; probeEnv?: Record<string, string>; listen?: (env: Env) => { host: string; port: number } }> = {
  intake: { main: 'services/intake/src/main.ts', load: loadIntakeSettings, listen: (env) => ({ host: loadIntakeSettings(env).http.host, port: loadIntakeSettings(env).http.port }) },
  renderer: { main: 'services/renderer/src/main.ts', load: loadRendererSettings, listen: (env) => ({ host: loadRendererSettings(env).http.host, port: loadRendererSettings(env).http.port }) },
  operator: { main: 'services/operator/src/main.ts', load: loadOperatorSettings, listen: (env) => ({ host: loadOperatorSettings(env).http.host, port: loadOperatorSettings(env).http.port }) },
  // Provider settings are read only for the providers listed, so the probe lists them all.
  'worker-sms': { main: 'services/workers/sms/src/main.ts', load: loadSmsWorkerSettings, probeEnv: { SMS_PROVIDERS: 'twilio,esms' }, listen: (env) => loadSmsWorkerSettings(env).sms.http },
  'worker-email': { main: 'services/workers/email/src/main.ts', load: loadEmailWorkerSettings, listen: (env) => ({ host: loadEmailWorkerSettings(env).email.http.host, port: loadEmailWorkerSettings(env).email.http.port }) },
  'worker-push': { main: 'services/workers/push/src/main.ts', load: loadPushWorkerSettings, listen: (env) => ({ host: loadPushWorkerSettings(env).http.host, port: loadPushWorkerSettings(env).http.port }) },
  admin: { main: 'services/gateway/src/cli/index.ts', load: loadCliSettings },
};
const INFRASTRUCTURE: Record<string, string> = { kafka: 'apache/kafka:', redis: 'redis:', mailpit: 'axllent/mailpit:' };

const vapid = webpush.generateVAPIDKeys();
/** Sample values for what the file passes through from the shell (provider credentials). */
const PASS_THROUGH: Record<string, string> = {
  ESMS_API_KEY: 'sample-api-key',
  ESMS_SECRET_KEY: 'sample-secret',
  ESMS_BRANDNAME: 'VP-THANHUY',
  WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@example.gov.vn',
  WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
  WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
  GATEWAY_KEY: 'gw_sample',
};

const { text, compose } = readCompose();
const services = Object.entries(compose.services);
const gatewayServices = services.filter(([name]) => !(name in INFRASTRUCTURE));

/** The module a container runs: `node --import tsx <module>`, from its entrypoint or command. */
function moduleOf(service: ComposeService): string | undefined {
  const argv = service.entrypoint ?? service.command ?? [];
  return argv[0] === 'node' && argv[1] === '--import' && argv[2] === 'tsx' ? argv[3] : undefined;
}

function findOnPath(program: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, program)).find((p) => existsSync(p));
}

describe('docker-compose.yml', () => {
  const validate = composeSchemaValidator();

  it('when checked against the Compose specification JSON Schema (infra/compose-spec.json), then it is valid', () => {
    expect(validate(compose)).toEqual([]);
  });

  it('when a copy has a wrong depends_on condition and a healthcheck interval that is not a duration, then the schema names both', () => {
    const broken = parseCompose(text.replace('condition: service_healthy', 'condition: service_up').replace('interval: 10s', 'interval: ten seconds'));
    const errors = validate(broken).join('\n');
    expect(errors).toMatch(/depends_on\/kafka\/condition .*allowed/);
    expect(errors).toMatch(/healthcheck\/interval must match format "duration"/);
  });

  const dockerCompose = findOnPath('docker-compose');
  const title = dockerCompose
    ? `when docker-compose (${dockerCompose}) validates it with "config", then it is accepted, resolves the anchors as the test does, and a broken copy is refused`
    : 'docker-compose is NOT installed here: only the JSON Schema checks the file (apt-get install docker-compose adds the check by docker-compose config)';
  it(title, () => {
    if (!dockerCompose) {
      console.warn(`infra/test/compose.test.ts: ${title}`);
      expect(validate(compose)).toEqual([]);
      return;
    }
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };
    const ok = spawnSync(dockerCompose, ['-f', join(ROOT, 'docker-compose.yml'), 'config'], { encoding: 'utf8', env, cwd: ROOT });
    expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    const resolved = parseCompose(ok.stdout);
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(compose.services).sort());
    for (const [name, service] of services) {
      // Pass-through variables (no value) stay null in docker-compose's output when the shell has none.
      const expected = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v === null ? null : interpolate(String(v))]));
      expect({ name, environment: resolved.services[name]?.environment ?? {} }).toEqual({ name, environment: expected });
    }

    const dir = mkdtempSync(join(tmpdir(), 'gateway-compose-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), text.replace('condition: service_healthy', 'condition: service_up'));
      const bad = spawnSync(dockerCompose, ['-f', join(dir, 'docker-compose.yml'), '--project-directory', ROOT, 'config', '-q'], { encoding: 'utf8', env, cwd: ROOT });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/condition/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when listing its services, then each is infrastructure (Kafka, Redis, Mailpit) or a known gateway service, and every gateway service has a container', () => {
    for (const [name, service] of services) {
      if (name in INFRASTRUCTURE) expect({ name, image: service.image?.startsWith(INFRASTRUCTURE[name] ?? '') }).toEqual({ name, image: true });
      else expect({ name, known: name in GATEWAY }).toEqual({ name, known: true });
    }
    expect(Object.keys(GATEWAY).filter((name) => !(name in compose.services))).toEqual([]);
  });

  it('when a gateway container starts, then it runs its own composition root from the one image, and that file exists and starts itself', () => {
    for (const [name, service] of gatewayServices) {
      const module = moduleOf(service);
      expect({ name, module }).toEqual({ name, module: GATEWAY[name]?.main });
      expect({ name, exists: existsSync(join(ROOT, module ?? '-')) }).toEqual({ name, exists: true });
      expect({ name, startsItself: /if \(require\.main === module\)/.test(readFileSync(join(ROOT, module ?? '-'), 'utf8')) }).toEqual({ name, startsItself: true });
      expect({ name, build: service.build, image: service.image }).toEqual({ name, build: '.', image: 'meeting-doc-notify-gateway:local' });
    }
  });

  it('when probing what each settings loader reads, then the probe sees real settings and only those', () => {
    const intake = settingsRead(loadIntakeSettings);
    expect(intake.has('INTAKE_PORT')).toBe(true);
    expect(intake.has('KAFKA_BROKERS')).toBe(true);
    expect(intake.has('SMTP_HOST')).toBe(false);
    const email = settingsRead(loadEmailWorkerSettings);
    expect(email.has('SMTP_HOST')).toBe(true);
    expect(email.has('GATEWAY_KEYS_FILE')).toBe(false);
  });

  it('when a gateway container sets an environment variable, then its own service reads that setting', () => {
    const unread: string[] = [];
    for (const [name, service] of gatewayServices) {
      const spec = GATEWAY[name];
      if (!spec) continue;
      const read = settingsRead(spec.load, spec.probeEnv, (err) => err instanceof ConfigError);
      for (const variable of Object.keys(service.environment ?? {})) if (!read.has(variable)) unread.push(`${name}: ${variable}`);
    }
    expect(unread).toEqual([]);
  });

  it("when each service's settings loader is given its container's environment (credentials passed through from .env), then it accepts it", () => {
    for (const [name, service] of gatewayServices) {
      const env = containerEnv(service, PASS_THROUGH);
      let problem = '';
      try {
        GATEWAY[name]?.load(env);
      } catch (err) {
        problem = (err as Error).message;
      }
      expect({ name, problem }).toEqual({ name, problem: '' });
    }
    // Unset pass-through values stay unset: the email worker without SMTP_USER has no SMTP_PASSWORD either.
    expect(containerEnv(compose.services['worker-email'] ?? {})).not.toHaveProperty('SMTP_USER');
  });

  it('when a gateway service listens on HTTP, then it binds 0.0.0.0 and its health check probes the port it listens on', () => {
    for (const [name, service] of gatewayServices) {
      const listen = GATEWAY[name]?.listen;
      const check = (service.healthcheck?.test ?? []).join(' ');
      if (!listen) continue;
      const { host, port } = listen(containerEnv(service, PASS_THROUGH));
      expect({ name, host, check: new RegExp(`http://127\\.0\\.0\\.1:${port}/(readyz|healthz)`).test(check) }).toEqual({ name, host: '0.0.0.0', check: true });
      for (const published of service.ports ?? []) expect({ name, containerPort: Number(published.split(':').pop()) }).toEqual({ name, containerPort: port });
    }
    // Every gateway service in compose listens on HTTP and is checked there.
    expect(gatewayServices.filter(([name]) => name !== 'admin' && !GATEWAY[name]?.listen).map(([name]) => name)).toEqual([]);
  });

  it('when a service depends on another, then that one exists and has a health check; every gateway service waits for a healthy Kafka and Redis', () => {
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dependency, exists: dependency in compose.services }).toEqual({ name, dependency, exists: true });
        if (condition === 'service_healthy') expect({ name, dependency, healthcheck: Boolean(compose.services[dependency]?.healthcheck) }).toEqual({ name, dependency, healthcheck: true });
      }
      if (name in INFRASTRUCTURE || name === 'admin') continue;
      expect({ name, kafka: service.depends_on?.kafka?.condition, redis: service.depends_on?.redis?.condition }).toEqual({ name, kafka: 'service_healthy', redis: 'service_healthy' });
      expect({ name, healthcheck: Boolean(service.healthcheck) }).toEqual({ name, healthcheck: true });
    }
    expect(compose.services['worker-email']?.depends_on?.mailpit?.condition).toBe('service_healthy');
  });

  it('when services name each other (brokers, Redis, SMTP relay, keys file, CLI URLs), then the names, ports and mounts agree', () => {
    const kafkaEnv = containerEnv(compose.services.kafka ?? {});
    for (const [name, service] of gatewayServices) {
      const env = containerEnv(service, PASS_THROUGH);
      if (env.KAFKA_BROKERS) expect({ name, advertised: kafkaEnv.KAFKA_ADVERTISED_LISTENERS?.includes(`PLAINTEXT://${env.KAFKA_BROKERS}`) }).toEqual({ name, advertised: true });
      if (env.REDIS_URL) expect({ name, redis: hostPort(env.REDIS_URL) }).toEqual({ name, redis: { host: 'redis', port: 6379 } });
      if (env.GATEWAY_KEYS_FILE) expect({ name, mounted: (service.volumes ?? []).some((v) => v.startsWith('gateway-keys:') && env.GATEWAY_KEYS_FILE?.startsWith(`${v.split(':')[1]}/`)) }).toEqual({ name, mounted: true });
    }
    expect(containerEnv(compose.services['worker-email'] ?? {}).SMTP_HOST).toBe('mailpit');
    const admin = containerEnv(compose.services.admin ?? {});
    for (const [variable, target] of [['GATEWAY_INTAKE_URL', 'intake'], ['GATEWAY_DIRECTORY_URL', 'renderer'], ['GATEWAY_OPERATOR_URL', 'operator']] as const) {
      const listen = GATEWAY[target]?.listen?.(containerEnv(compose.services[target] ?? {}));
      expect({ variable, at: hostPort(admin[variable] ?? '') }).toEqual({ variable, at: { host: target, port: listen?.port } });
    }
    expect(compose.volumes).toHaveProperty('gateway-keys');
  });

  it('when the image is built, then the Dockerfile has installed every workspace (each package.json copied before npm ci)', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const workspaces = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    expect(workspaces.filter((w) => !beforeInstall.includes(`COPY ${w}/package.json ${w}/`))).toEqual([]);
  });

  it('when the image runs npm ci, then the patches its postinstall applies are already in the image', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies?: Record<string, string> };
    expect(pkg.scripts.postinstall).toBe('patch-package');
    // --omit=dev keeps only dependencies: the postinstall's tool must be one.
    expect(pkg.dependencies).toHaveProperty('patch-package');
    expect(dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'))).toContain('COPY patches patches');
  });

  it('when a dependency is patched, then every package that uses it pins the patched version, so no lockfile update can leave the patch behind', () => {
    const patched = readdirSync(join(ROOT, 'patches')).map((file) => /^(.+)\+(\d+\.\d+\.\d+)\.patch$/.exec(file)).filter((m): m is RegExpExecArray => m !== null);
    expect(patched.map((m) => m[1])).toEqual(expect.arrayContaining(['nodemailer']));
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    const loose: string[] = [];
    for (const dir of ['.', ...root.workspaces]) {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const [, name, version] of patched) {
        for (const field of ['dependencies', 'devDependencies']) {
          const wanted = pkg[field]?.[name as string];
          if (wanted !== undefined && wanted !== version) loose.push(`${dir}/package.json ${field}.${name}: ${wanted}, patched ${version}`);
        }
      }
    }
    expect(loose).toEqual([]);
  });
});

describe('the compose commands, run as the containers run them (node --import tsx <module>)', () => {
  const run = (module: string, args: string[], env: Record<string, string>) => runProcess(process.execPath, ['--import', 'tsx', module, ...args], env);

  it('when a service container is given a broken KAFKA_BROKERS, then its composition root starts, refuses with exit code 2 and names the setting', async () => {
    const results = await Promise.all(
      gatewayServices
        .filter(([name]) => name !== 'admin')
        .map(async ([name, service]) => ({ name, ...(await run(moduleOf(service) ?? '-', [], { KAFKA_BROKERS: 'not-a-broker', REDIS_URL: 'redis://127.0.0.1:1' })) })),
    );
    for (const r of results) expect({ name: r.name, code: r.code, names: /KAFKA_BROKERS/.test(r.stderr) }).toEqual({ name: r.name, code: 2, names: true });
  }, 60_000);

  it('when the admin container runs with its default command, then the CLI prints its commands and exits 0', async () => {
    const admin = compose.services.admin ?? {};
    const r = await run(moduleOf(admin) ?? '-', admin.command ?? [], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/keys[\s\S]*directory[\s\S]*send[\s\S]*show[\s\S]*resend/);
  });
});
