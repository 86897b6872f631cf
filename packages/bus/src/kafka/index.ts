export { createKafkaBus, KafkaBus, type KafkaSettings } from './client';
