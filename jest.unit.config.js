/**
 * The fast tier (`npm run test:unit`): pure logic and in-process HTTP servers; no Kafka, no Redis, no
 * browser. Left out: *.component / *.browser / *.conformance tests, tests/ (across services) and
 * infra/src (its tests start brokers and redis-servers). Anything else that reaches for Kafka or Redis
 * fails at once with what to do (tests/support/unit-tier.ts), so it cannot slip in unnoticed.
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '\\.component\\.test\\.ts$',
    '\\.browser\\.test\\.ts$',
    '\\.conformance\\.test\\.ts$',
    '<rootDir>/tests/conformance/',
    '<rootDir>/tests/e2e/',
    '<rootDir>/infra/src/',
  ],
  globalSetup: undefined,
  globalTeardown: undefined,
  setupFiles: ['<rootDir>/tests/support/unit-tier.ts'],
};
