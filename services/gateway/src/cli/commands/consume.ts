import { randomBytes } from 'node:crypto';
import { createKafkaBus, eachRecord } from '@gateway/bus';
import { createLogger, maskForLog } from '@gateway/common';
import { parseCommandArgs, type Command } from '../command';
import { CliError, EXIT, UsageError } from '../errors';

const USAGE = `Đọc một topic / read a Kafka topic: one JSON line per record, phones and emails masked

  npm run gateway -- consume <topic> [--brokers host:port,...] [--follow] [--max N]

Options:
  --brokers <list>   the cluster (default: $KAFKA_BROKERS, else the local broker \`npm start\` keeps in .gateway/kafka)
  --follow           keep reading new records until Ctrl-C (default: stop at the end of the topic)
  --max <n>          stop after n records

Reads from the beginning with a throwaway consumer group (commits nothing another group sees).
Each line: {"topic","partition","offset","timestamp","key","headers","value"}; a JSON value is
printed as JSON. Example: npm run gateway -- consume gateway.channel.sms.v1 --max 5`;

function parsedValue(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'read a Kafka topic as JSON lines (contacts masked)',
  usage: USAGE,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { brokers: { type: 'string' }, follow: { type: 'boolean' }, max: { type: 'string' } });
    const [topic, ...extra] = positionals;
    if (!topic || extra.length) throw new UsageError('give exactly one topic');
    const max = values.max === undefined ? Infinity : Number(values.max);
    if (!(max > 0 && (Number.isInteger(max) || max === Infinity))) throw new UsageError(`--max: a positive whole number (got ${values.max})`);
    const brokers = (values.brokers ?? ctx.settings.kafkaBrokers.join(',')).split(',').map((b) => b.trim()).filter(Boolean);
    if (brokers.length === 0) {
      throw new CliError('Không biết Kafka ở đâu / no brokers: pass --brokers host:port, set KAFKA_BROKERS, or start the gateway with `npm start` (its local broker is found in .gateway/kafka).');
    }

    const kafka = createKafkaBus({ brokers, clientId: 'gateway-cli-consume' }, createLogger({ name: 'consume', level: 'silent' }));
    const admin = kafka.admin();
    await admin.connect();
    let ends: Map<number, bigint>;
    try {
      if (!(await admin.listTopics()).includes(topic)) throw new CliError(`Không có topic / no topic "${topic}" on ${brokers.join(',')}`, EXIT.failure);
      ends = new Map((await admin.topicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    } finally {
      await admin.disconnect();
    }
    // Partitions still to read up to the end they had when we started (not with --follow).
    const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
    const consumer = kafka.consumer({ groupId: `gateway-cli-consume-${randomBytes(6).toString('hex')}`, maxWaitMs: 200 });
    let printed = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const offInterrupt = ctx.onInterrupt(() => finish());
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const atEnd = () => !values.follow && pending.size === 0;
      if (atEnd()) finish();
      await consumer.run({
        eachBatch: eachRecord(async (message) => {
          const { partition } = message;
          if (printed >= max || atEnd()) return;
          const headers = message.headers;
          ctx.out(
            JSON.stringify({
              topic,
              partition,
              offset: message.offset,
              timestamp: new Date(Number(message.timestamp)).toISOString(),
              key: message.key ? maskForLog(message.key) : null,
              headers: maskForLog(headers),
              value: maskForLog(parsedValue(message.value?.toString())),
            }),
          );
          printed += 1;
          if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
          if (printed >= max || atEnd()) finish();
        }),
      });
      await finished;
    } finally {
      offInterrupt();
      await consumer.disconnect();
    }
    return EXIT.ok;
  },
};
