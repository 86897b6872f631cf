import { resolve } from 'node:path';
import { z } from 'zod';
import type { Topics } from '@gateway/contracts';
import { attendanceEnvSettings, attendanceLinkSettings, type AttendanceLinkSettings } from '@gateway/attendance';
import { consumerGroupSettings, infrastructureSettings, kafkaSettings, parseSettings, redisSettings, setting, topicSettings, type ConsumerGroupSettings, type KafkaServiceSettings, type RedisSettings } from '@gateway/common';

const rendererSettingsSchema = z.object({
  RENDERER_HOST: z.string().default('127.0.0.1'),
  RENDERER_PORT: setting.port(8081),
  ...infrastructureSettings(),
  KAFKA_CLIENT_ID: z.string().default('gateway-renderer'),
  /** Default: gateway-renderer after the group prefix (consumerGroupId). */
  RENDERER_GROUP_ID: z.string().min(1).optional(),
  GATEWAY_KEYS_FILE: z.string({ message: 'required: path to the API keys JSON file' }).min(1),
  TEMPLATES_DIR: z.string().default(resolve(__dirname, '../../../templates')),
  AGENCY_NAME: z.string().min(1).default('Văn phòng Thành ủy'),
  AGENCY_EMAIL_FROM: z.email({ message: 'must be an email address' }).default('thongbao@example.gov.vn'),
  CALENDAR_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a host name').default('lichhop.example.gov.vn'),
  RENDERER_CONCURRENCY: setting.positiveInt(3),
  /** Compression of the channel messages the renderer publishes: none (least CPU) or gzip (less broker disk and network; docs/benchmarks.md). */
  RENDERER_COMPRESSION: z.enum(['none', 'gzip'], { message: 'must be none or gzip' }).default('none'),
  ...attendanceEnvSettings(),
  SHUTDOWN_TIMEOUT_MS: setting.positiveInt(15000),
  LOG_LEVEL: setting.logLevel(),
});

export interface RendererSettings {
  http: { host: string; port: number };
  kafka: KafkaServiceSettings & ConsumerGroupSettings;
  redis: RedisSettings;
  topics: Topics;
  keysFile: string;
  templatesDir: string;
  agency: { name: string; emailFrom: string; calendarDomain: string };
  /** Partitions of the events topic rendered at once. */
  concurrency: number;
  /** Compression of the channel messages the renderer publishes. */
  compression: 'none' | 'gzip';
  /** Personal attendance links in invitations that require confirmation; absent without ATTENDANCE_LINK_SECRET. */
  attendance: AttendanceLinkSettings | undefined;
  shutdownTimeoutMs: number;
  logLevel: string;
}

export function loadRendererSettings(env: Record<string, string | undefined>): RendererSettings {
  const s = parseSettings('renderer', rendererSettingsSchema, env);
  return {
    http: { host: s.RENDERER_HOST, port: s.RENDERER_PORT },
    kafka: { ...kafkaSettings(s, s.KAFKA_CLIENT_ID), ...consumerGroupSettings(s, s.RENDERER_GROUP_ID, 'gateway-renderer') },
    redis: redisSettings(s),
    topics: topicSettings(s),
    keysFile: s.GATEWAY_KEYS_FILE,
    templatesDir: s.TEMPLATES_DIR,
    agency: { name: s.AGENCY_NAME, emailFrom: s.AGENCY_EMAIL_FROM, calendarDomain: s.CALENDAR_DOMAIN },
    concurrency: s.RENDERER_CONCURRENCY,
    compression: s.RENDERER_COMPRESSION,
    attendance: attendanceLinkSettings(s),
    shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
    logLevel: s.LOG_LEVEL,
  };
}
