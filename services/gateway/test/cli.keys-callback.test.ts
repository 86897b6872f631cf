import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKey, readKeyRing } from '@gateway/common';
import type { CliContext } from '../src/cli/command';
import { keysCommand } from '../src/cli/commands/keys';
import { UsageError } from '../src/cli/errors';

describe('keys callback (admin CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-keys-callback-'));
  const file = join(dir, 'keys.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[]): Promise<{ code: number; out: string[] }> {
    const out: string[] = [];
    const ctx: CliContext = {
      settings: { intakeUrl: '', directoryUrl: '', operatorUrl: '', devKeyFile: join(dir, 'dev-key.txt'), keysFile: file, kafkaBrokers: [] },
      out: (line) => out.push(line),
      err: (line) => out.push(line),
      progressStream: process.stderr,
      onInterrupt: () => () => undefined,
      now: () => new Date(),
    };
    return keysCommand.run(args, ctx).then((code) => ({ code, out }));
  }
  const secretIn = (out: string[]) => out.map((l) => /^\s+(whsec_\S+)$/.exec(l)?.[1]).find(Boolean);

  it('when a callback is set, then the secret is printed once, stored usable in a 0600 file, and the key ring finds it by source', async () => {
    createKey(file, 'lich-hop', ['events:write'], { sources: ['vpthanhuy-lichhop'] });
    const set = await run(['callback', 'lich-hop', '--url', 'https://lichhop.example.gov.vn/gateway/callback']);
    expect(set.code).toBe(0);
    const secret = secretIn(set.out);
    expect(secret).toMatch(/^whsec_/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const ring = readKeyRing(file);
    expect(ring.callbacksFor('vpthanhuy-lichhop')).toEqual([expect.objectContaining({ key: 'lich-hop', url: 'https://lichhop.example.gov.vn/gateway/callback', secret })]);
    expect(ring.callbacksFor('vpthanhuy-vanban')).toEqual([]);

    // A new URL keeps the secret (not printed again); --rotate-secret makes a new one.
    const moved = await run(['callback', 'lich-hop', '--url', 'https://lichhop.example.gov.vn/v2/callback']);
    expect(secretIn(moved.out)).toBeUndefined();
    expect(readKeyRing(file).callbackOf('lich-hop')?.secret).toBe(secret);
    const rotated = await run(['callback', 'lich-hop', '--url', 'https://lichhop.example.gov.vn/v2/callback', '--rotate-secret']);
    const fresh = secretIn(rotated.out);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(readFileSync(file, 'utf8')).toContain(fresh);

    expect((await run(['list'])).out.join('\n')).toMatch(/lich-hop\s+events:write\s+vpthanhuy-lichhop\s+active\s+\S+\s+https:\/\/lichhop\.example\.gov\.vn\/v2\/callback/);
    await run(['callback', 'lich-hop', '--remove']);
    expect(readKeyRing(file).callbackOf('lich-hop')).toBeUndefined();
  });

  it('when the URL is plain http to another host, or missing, then it is a usage error; http to loopback is allowed (tests)', async () => {
    await expect(run(['callback', 'lich-hop', '--url', 'http://lichhop.example.gov.vn/cb'])).rejects.toThrow(UsageError);
    await expect(run(['callback', 'lich-hop'])).rejects.toThrow('callback needs --url');
    expect((await run(['callback', 'lich-hop', '--url', 'http://127.0.0.1:9999/cb'])).code).toBe(0);
    await expect(run(['callback', 'khong-co', '--url', 'https://x.example/cb'])).rejects.toThrow('no key named "khong-co"');
  });
});
