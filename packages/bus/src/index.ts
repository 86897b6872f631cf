export * from './port';
export type { BusLogger } from './log';
export { ensureTopics, adoptLegacyGroupOffsets } from './topics';
export { BatchingPublisher, sendChunked } from './publishing';
export { eachRecord } from './each-record';
export { createKafkaBus, KafkaBus, type KafkaSettings } from './kafka';
export { decodeRecord, deadLetterRecord, type IncomingRecord } from './dead-letter';
