import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by digest (EVALSHA), loaded on first use and again after a SCRIPT FLUSH or a failover. */
export class LuaScript {
  private readonly sha: string;

  constructor(
    private readonly source: string,
    private readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) throw new Error(`script expects ${this.numberOfKeys} keys; got ${keys.length}`);
    try {
      return await redis.evalsha(this.sha, this.numberOfKeys, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return redis.eval(this.source, this.numberOfKeys, ...keys, ...args);
    }
  }
}

/** Throws the first error of a MULTI … EXEC, or when the transaction was aborted. */
export function checkExec(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('redis transaction was aborted');
  for (const [err] of results) if (err) throw err;
}
