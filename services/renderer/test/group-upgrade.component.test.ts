/**
 * Upgrading to prefixed consumer group ids: a renderer that ran as `gateway-renderer` on prefixed
 * topics comes back as `<prefix>gateway-renderer`. It must resume where the old group stopped, not
 * render the whole retention of the events topic again (which would message everybody twice).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusPublisher as Producer } from '@gateway/bus';
import { allTopics, channelMessageSchema, loadExample, withPrefix, type Topics } from '@gateway/contracts';
import { createLogger, generateKey, hashKey } from '@gateway/common';
import { createTopics, kafkaBrokers, readAllMessages, testBus, uniqueName } from '@gateway/tests/support/infra';
import { loadRendererSettings } from '../src/settings';
import { rendererTestEnv } from './support';
import { startRenderer, type RunningRenderer } from '../src/main';

describe('renderer upgraded to a prefixed consumer group id', () => {
  const prefix = `${uniqueName('upg')}.`;
  const topics: Topics = withPrefix(prefix);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-renderer-upgrade-'));
  let renderer: RunningRenderer | undefined;
  let producer: Producer;
  const kafka = testBus();

  beforeAll(async () => {
    await createTopics(kafkaBrokers(), allTopics(topics), 1);
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [{ name: 'danh-ba', sha256: hashKey(generateKey()), scopes: ['directory:write'] }] }));
    producer = kafka.publisher();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await renderer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const meeting = (n: number) => {
    const example = loadExample('meeting-scheduled-hoi-nghi-bch') as { id: string; data: Record<string, unknown> };
    return { ...example, id: `${prefix}meeting-${n}`, data: { ...example.data, meetingId: `${prefix}hop-${n}`, participants: [{ id: `nguoi-${n}`, name: 'Nguyễn Văn An', phone: '+84905000001', channels: ['sms'] }] } };
  };

  it('when the old group had rendered an event, then the new group does not render it again and renders what came after', async () => {
    const first = meeting(1);
    // One partition: were the first event rendered again, its SMS would come before the second's.
    await producer.publish([{ topic: topics.events, key: 'k', value: JSON.stringify(first) }]);
    // What the renderer of before the upgrade left: the old group id committed past the first event.
    const admin = kafka.admin();
    await admin.connect();
    const end = await admin.topicOffsets(topics.events);
    await admin.setGroupOffsets('gateway-renderer', topics.events, end.map(({ partition, high }) => ({ partition, offset: high })));
    await admin.disconnect();

    const settings = loadRendererSettings(rendererTestEnv(prefix, join(dir, 'keys.json')));
    expect(settings.kafka.groupId).toBe(`${prefix}gateway-renderer`);
    renderer = await startRenderer(settings, { logger: createLogger({ name: 'renderer-upgrade-test', level: 'silent' }) });

    const second = meeting(2);
    await producer.publish([{ topic: topics.events, key: 'k', value: JSON.stringify(second) }]);
    const sms = (await readAllMessages(kafkaBrokers(), topics.sms, { expected: 1, timeoutMs: 30_000 })).map((r) => channelMessageSchema.parse(JSON.parse(r.value)));
    expect(sms.map((m) => m.eventId)).toEqual([second.id]);
  });
});
