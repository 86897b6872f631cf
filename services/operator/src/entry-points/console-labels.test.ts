import express from 'express';
import request from 'supertest';
import { CHANNELS, DELIVERY_STATES, FAILED_RECORD_STATES, URGENCIES } from '@gateway/contracts';
import { mountConsole } from './console';

/** The exports of the served labels.js, read back as the browser would see their values. */
function exportsOf(source: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of source.matchAll(/^export const (\w+) = Object\.freeze\((.*)\);$/gm)) out[m[1] ?? ''] = JSON.parse(m[2] ?? 'null');
  return out;
}

function labelsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) throw new Error('expected an object of labels');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

describe('the console\'s labels', () => {
  const app = express();
  mountConsole(app);

  it('when the console loads labels.js, then it is a JavaScript module under the console\'s CSP', async () => {
    const res = await request(app).get('/console/labels.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('when a status, channel or urgency is in the contracts, then the console has a Vietnamese label for it, in the contracts\' order', async () => {
    const labels = exportsOf((await request(app).get('/console/labels.js')).text);
    for (const [name, values] of [['STATUS', DELIVERY_STATES], ['CHANNEL', CHANNELS], ['URGENCY', URGENCIES]] as const) {
      const table = labelsOf(labels[name]);
      expect([name, Object.keys(table)]).toEqual([name, [...values]]);
      for (const value of values) expect([value, (table[value] ?? '').trim().length > 0 && table[value] !== value]).toEqual([value, true]);
    }
    expect(labels.FAILED_STATES).toBe(FAILED_RECORD_STATES.join(','));
  });

  it('when the console loads its modules, then they are served as JavaScript with the security headers', async () => {
    for (const path of ['/console/app.js', '/console/api.js', '/console/pages/list.js', '/console/problems.js']) {
      const res = await request(app).get(path);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, expect.stringMatching(/^(text|application)\/javascript/)]);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });
});
