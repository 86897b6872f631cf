import { hash, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const SCOPES = ['events:write', 'notifications:read', 'notifications:resend', 'directory:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const keyRecordSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash or underscore, at most 64'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key'),
  scopes: z.array(z.enum(SCOPES)).min(1),
  createdAt: z.string().optional(),
  /** A revoked key stays in the file for the record but no longer authenticates. */
  revokedAt: z.string().optional(),
});
export type KeyRecord = z.infer<typeof keyRecordSchema>;

const keysFileSchema = z.object({ keys: z.array(keyRecordSchema) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.keys.forEach((k, i) => {
    if (seen.has(k.name)) ctx.addIssue({ code: 'custom', path: ['keys', i, 'name'], message: `duplicate key name "${k.name}"` });
    seen.add(k.name);
  });
});
export type KeysFile = z.infer<typeof keysFileSchema>;

export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** 32 random bytes, prefixed so a leaked key is recognisable in a secret scanner. */
export function generateKey(): string {
  return `gw_${randomBytes(32).toString('base64url')}`;
}

export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

/** Looks keys up by hash; the keys themselves are never held. */
export class KeyRing {
  private readonly byHash: Map<string, Principal>;

  constructor(file: KeysFile) {
    this.byHash = new Map(
      file.keys.filter((k) => !k.revokedAt).map((k) => [k.sha256, { name: k.name, scopes: new Set(k.scopes) }]),
    );
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Timing of a lookup by SHA-256 digest reveals nothing usable about the key itself. */
  authenticate(presented: string): Principal | undefined {
    return this.byHash.get(hashKey(presented));
  }
}

export function parseKeysFile(json: unknown): { ok: true; file: KeysFile } | { ok: false; problems: string[] } {
  const result = keysFileSchema.safeParse(json);
  if (result.success) return { ok: true, file: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
}
