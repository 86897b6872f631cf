import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allTopics, deliveryStatusSchema, loadExample, withPrefix } from '@gateway/contracts';
import { createLogger } from '@gateway/common';
import { loadIntakeSettings, startIntake, type RunningIntake } from '@gateway/intake';
import { loadRendererSettings, startRenderer, type RunningRenderer } from '@gateway/renderer';
import { loadOperatorSettings, startOperator, type RunningOperator } from '@gateway/operator';
import { createTopics, kafkaBrokers, readAllMessages, redisUrl, uniqueName, waitFor } from '@gateway/tests/support/infra';
import { gateway, ROOT } from './cli-support';

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('admin CLI against the real intake, renderer and operator (real Kafka and Redis)', () => {
  const prefix = uniqueName('cli');
  const topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-cli-test-'));
  const keysFile = join(dir, 'keys.json');
  let intake: RunningIntake;
  let renderer: RunningRenderer;
  let operator: RunningOperator;
  let env: Record<string, string>;
  let adminKey = '';

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), allTopics(topics), 3);
    const common = { KAFKA_BROKERS: kafkaBrokers().join(','), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: `${prefix}:`, GATEWAY_KEYS_FILE: keysFile, TOPIC_PREFIX: prefix, KAFKA_CREATE_TOPICS: 'false', LOG_LEVEL: 'silent' };
    const logger = (name: string) => ({ logger: createLogger({ name, level: 'silent' }) });
    renderer = await startRenderer(loadRendererSettings({ ...common, RENDERER_PORT: '0', RENDERER_GROUP_ID: `${prefix}-renderer` }), logger('renderer'));
    operator = await startOperator(loadOperatorSettings({ ...common, OPERATOR_PORT: '0', STATUS_GROUP_ID: `${prefix}-status` }), logger('operator'));
    intake = await startIntake(loadIntakeSettings({ ...common, INTAKE_PORT: '0' }), logger('intake'));
    env = { GATEWAY_KEYS_FILE: keysFile, GATEWAY_INTAKE_URL: intake.url, GATEWAY_DIRECTORY_URL: renderer.url, GATEWAY_OPERATOR_URL: operator.url };
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled([intake?.stop(), renderer?.stop(), operator?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const withKey = () => ({ ...env, GATEWAY_KEY: adminKey });

  it('when an admin creates a key, then it is printed once, listed, and the running services accept it; a revoked key is refused', async () => {
    const created = await gateway(['keys', 'create', 'quan-tri', '--scopes', 'admin'], env);
    expect(created.code).toBe(0);
    adminKey = /^\s+(gw_\S+)$/m.exec(created.stdout)?.[1] ?? '';
    expect(adminKey).toMatch(/^gw_/);
    // The services reload the keys file within a second.
    await waitFor(async () => (await fetch(`${intake.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).status === 200, { timeoutMs: 10_000, message: 'intake accepts the new key' });

    const temporary = await gateway(['keys', 'create', 'tam-thoi', '--scopes', 'events:write'], env);
    expect(temporary.code).toBe(0);
    const temporaryKey = /^\s+(gw_\S+)$/m.exec(temporary.stdout)?.[1] ?? '';
    const revoked = await gateway(['keys', 'revoke', 'tam-thoi'], env);
    expect(revoked.code).toBe(0);
    const list = await gateway(['keys', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/quan-tri\s+admin\s+\*\s+active/);
    expect(list.stdout).toMatch(/tam-thoi\s+events:write\s+tam-thoi\s+revoked \d{4}-/);
    expect(list.stdout).not.toContain(adminKey);
    await waitFor(async () => (await fetch(`${intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${temporaryKey}`, 'content-type': 'application/json' }, body: '{}' })).status === 401, { timeoutMs: 10_000, message: 'intake refuses the revoked key' });

    // A key sends only the sources it is bound to: set when it is made, changed later.
    const system = await gateway(['keys', 'create', 'lich-hop', '--scopes', 'events:write', '--sources', 'vpthanhuy-lichhop'], env);
    expect(system.code).toBe(0);
    expect(system.stdout).toContain('sources vpthanhuy-lichhop');
    const systemKey = /^\s+(gw_\S+)$/m.exec(system.stdout)?.[1] ?? '';
    // Only refusals here: an accepted event would add statuses the later tests count.
    const postAs = (key: string, file: string) => fetch(`${intake.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...(loadExample(file) as object), id: uniqueName('nguon') }) });
    await waitFor(async () => (await postAs(systemKey, 'document-recalled')).status === 403, { timeoutMs: 10_000, message: 'intake refuses the bound key for another source' });
    const rebound = await gateway(['keys', 'sources', 'lich-hop', '--sources', 'vpthanhuy-lichhop,vpthanhuy-vanban'], env);
    expect(rebound.code).toBe(0);
    expect((await gateway(['keys', 'list'], env)).stdout).toMatch(/lich-hop\s+events:write\s+vpthanhuy-lichhop,vpthanhuy-vanban\s+active/);
    const badSource = await gateway(['keys', 'sources', 'lich-hop', '--sources', 'Van Ban'], env);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain('invalid source(s): Van Ban');

    const again = await gateway(['keys', 'create', 'quan-tri', '--scopes', 'admin'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const badScope = await gateway(['keys', 'create', 'x', '--scopes', 'events:read'], env);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('unknown scope(s): events:read');
  }, 60_000);

  it('when a JSON directory and then a CSV with one bad row are imported, then the valid rows are imported and the report names the rejected row and field', async () => {
    const json = join(dir, 'nhom.json');
    writeFileSync(json, JSON.stringify({ groups: [{ id: 'to-cli', name: 'Tổ công tác thử CLI' }] }));
    const groups = await gateway(['directory', 'import', json], withKey());
    expect(groups.stderr).toBe('');
    expect(groups.code).toBe(0);
    expect(groups.stdout).toContain('imported 1: people 0 created, 0 updated; groups 1 created');

    const csv = join(dir, 'danh-ba.csv');
    writeFileSync(
      csv,
      [
        'id,name,title,unit,phone,email,userId,channels,groups',
        'nguyen-van-an,Nguyễn Văn An,Chánh Văn phòng,Văn phòng Thành ủy,0905123456,nvan@example.gov.vn,,,to-cli',
        'tran-thi-binh,Trần Thị Bình,Phó Chánh Văn phòng,Văn phòng Thành ủy,0123456789,,,,to-cli',
        'le-van-cuong,Lê Văn Cường,Chuyên viên,Văn phòng Thành ủy,,lvcuong@example.gov.vn,,,to-cli',
      ].join('\n'),
    );
    const run = await gateway(['directory', 'import', csv], withKey());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/imported 2\b/);
    expect(run.stdout).toMatch(/rejected 1 row/);
    // Row 3: the header is row 1, so Trần Thị Bình's row is 3; her phone is not a Vietnamese number.
    expect(run.stdout).toMatch(/^\s+3\s+tran-thi-binh\s+phone\s+\S/m);
    const group = await fetch(`${renderer.url}/v1/directory/groups/to-cli`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(((await group.json()) as { members: string[] }).members.sort()).toEqual(['le-van-cuong', 'nguyen-van-an']);
  });

  const meeting = (id: string) => {
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { data: Record<string, unknown> };
    return { ...example, id, data: { ...example.data, meetingId: `${id}-hop`, participants: ['group:to-cli'] as unknown[] } };
  };

  let eventId = '';

  it('when a valid event file is sent, then the CLI prints the event id the intake accepted (202)', async () => {
    eventId = `${prefix}-evt-1`;
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(meeting(eventId)));
    const run = await gateway(['send', file], withKey());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`accepted: ${eventId} (meeting.scheduled)`);
  });

  it('when an event has an invalid field or an unknown type, then the CLI exits 1 with the problem naming the field', async () => {
    const invalid = meeting(`${prefix}-evt-bad`);
    invalid.data.participants = [{ id: 'x', name: 'Người Thử', phone: '0123456789' }];
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify(invalid));
    const run = await gateway(['send', file], withKey());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error 400/);
    expect(run.stderr).toContain('data.participants[0].phone:');

    const unknownType = { ...meeting(`${prefix}-evt-type`), type: 'meeting.postponed' };
    writeFileSync(file, JSON.stringify(unknownType));
    const typed = await gateway(['send', file], withKey());
    expect(typed.code).toBe(1);
    expect(typed.stderr).toMatch(/error 422: Unknown event type/);
    expect(typed.stderr).toMatch(/- type: /);
  });

  it('when a notification of the sent event is shown, then its status and history table are printed from the operator', async () => {
    // The renderer's first status of each message (keyed by message id) names the message.
    // Two recipients × four channels: An's SMS and email and Cường's email rendered, the rest skipped.
    const statuses = (await readAllMessages(kafkaBrokers(), topics.status, { expected: 8, timeoutMs: 30_000 })).map((m) => deliveryStatusSchema.parse(JSON.parse(m.value)));
    const sms = statuses.find((s) => s.eventId === eventId && s.channel === 'sms' && s.status === 'rendered');
    expect(sms).toBeDefined();
    const id = sms?.messageId ?? '';
    await waitFor(async () => (await fetch(`${operator.url}/v1/notifications/${id}`, { headers: { authorization: `Bearer ${adminKey}` } })).status === 200, { timeoutMs: 30_000, message: 'operator projected the status' });
    const run = await gateway(['show', id], withKey());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`notification ${id}`);
    expect(run.stdout).toMatch(new RegExp(`sự kiện / event:\\s+${eventId}$`, 'm'));
    expect(run.stdout).toMatch(/trạng thái \/ status:\s+rendered/);
    expect(run.stdout).toMatch(/time \(UTC\+7\)\s+status\s+attempt\s+provider\s+detail/);
    expect(run.stdout).toMatch(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}\s+rendered/);

    const json = await gateway(['show', id, '--json'], withKey());
    expect((JSON.parse(json.stdout) as { messageId: string }).messageId).toBe(id);

    const unknown = await gateway(['show', `${prefix}-no-such-message`], withKey());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/error 404/);
  }, 60_000);

  it('when a service does not answer, then the CLI names it, its URL and `npm start`, and exits 1; wrong usage exits 2 with the usage', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await gateway(['send', join(ROOT, 'contracts/examples/meeting-cancelled.json'), '--intake-url', url], withKey());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot reach the intake at ${url}`);
    expect(run.stderr).toContain('npm start');

    const usage = await gateway(['show'], withKey());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('show takes one notification id');
    const unknown = await gateway(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    for (const command of ['keys', 'directory', 'send', 'show', 'resend']) {
      const help = await gateway([command, '--help'], env);
      expect({ command, code: help.code, usage: help.stdout.includes(`npm run gateway -- ${command}`) }).toEqual({ command, code: 0, usage: true });
    }
  }, 60_000);
});
