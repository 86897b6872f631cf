/**
 * The push process starts two channel workers and an HTTP listener: when a later step fails, what
 * already started is stopped, so no consumer stays in its group holding partitions of a process
 * that never came up.
 */
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from '@gateway/kafkajs';
import { createKey } from '@gateway/common';
import { kafkaBrokers, redisUrl, uniqueName } from '@gateway/tests/support/infra';
import { generateVapidKeys } from '../src';
import { startPushWorker } from '../src/main';
import { loadPushWorkerSettings } from '../src/settings';
import { silentLogger } from './support';

jest.setTimeout(120_000);

describe('startPushWorker', () => {
  it('when its HTTP port is taken, then it fails to start and leaves neither the push nor the inbox consumer in its group', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const prefix = `${uniqueName('push-start')}.`;
    const keysFile = join(mkdtempSync(join(tmpdir(), 'gw-push-start-')), 'keys.json');
    createKey(keysFile, 'push-start', ['admin']);
    const vapid = generateVapidKeys();
    const settings = loadPushWorkerSettings({
      KAFKA_BROKERS: kafkaBrokers().join(','),
      REDIS_URL: redisUrl(),
      REDIS_KEY_PREFIX: `${prefix}:`,
      TOPIC_PREFIX: prefix,
      TOPIC_PARTITIONS: '2',
      PUSH_PORT: String(port),
      GATEWAY_KEYS_FILE: keysFile,
      WEB_PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      WEB_PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_VAPID_SUBJECT: 'mailto:quantri@localhost',
      LOG_LEVEL: 'silent',
    });
    try {
      await expect(startPushWorker(settings, { logger: silentLogger })).rejects.toThrow(/EADDRINUSE|in use/);
    } finally {
      taken.close();
    }
    const admin = new Kafka({ clientId: 'push-start-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const groups = [settings.push.kafka.groupId, settings.inapp.kafka.groupId];
      // A worker's start resolves only after its consumer joined the group (kafkajs's run() waits
      // for the join), and a stopped one has left it: a leaked one would still be listed here.
      const { groups: described } = await admin.describeGroups(groups);
      expect(described.map((g) => [g.groupId, g.members.length])).toEqual(groups.map((g) => [g, 0]));
    } finally {
      await admin.disconnect();
    }
  });
});
