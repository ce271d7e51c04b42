import { describe, expect, it } from 'vitest';
import type { ConversionIntakeStore } from '../../shared/application/take-conversion.js';
import { verifySource } from '../../shared/application/verified-source.js';

type Source = { orgId: string; kind?: string; secrets: string[]; cached: boolean };

/** A store whose cached and fresh answers differ, counting the reads of each. */
const storeOf = (cached: Source | undefined, fresh: Source | undefined) => {
  const reads = { cached: 0, fresh: 0 };
  const store = {
    verificationSecrets: async (_sourceId: string, options?: { fresh?: boolean }) => {
      if (options?.fresh) {
        reads.fresh++;
        return fresh;
      }
      reads.cached++;
      return cached;
    },
    storeConversion: async () => 'accepted' as const,
    storeRefund: async () => 'accepted' as const,
  } satisfies ConversionIntakeStore;
  return { store, reads };
};

/** Verifies when the secret list holds `good`. */
const verifyWith = (secrets: string[]) => (secrets.includes('good') ? { ok: true as const } : { ok: false as const, reason: 'invalid_signature' as const });

describe('verifySource', () => {
  it('accepts with the cached secrets without asking again', async () => {
    const { store, reads } = storeOf({ orgId: 'o1', secrets: ['good'], cached: true }, undefined);
    expect(await verifySource(store, 'src_1', 'standard', verifyWith)).toEqual({ ok: true, orgId: 'o1', verified: { ok: true } });
    expect(reads).toEqual({ cached: 1, fresh: 0 });
  });

  it('asks once for fresh secrets when cached ones fail (a rotation newer than the cache)', async () => {
    const { store, reads } = storeOf({ orgId: 'o1', secrets: ['old'], cached: true }, { orgId: 'o1', secrets: ['good'], cached: false });
    expect(await verifySource(store, 'src_1', 'standard', verifyWith)).toMatchObject({ ok: true, orgId: 'o1' });
    expect(reads).toEqual({ cached: 1, fresh: 1 });
  });

  it('does not ask again when the secrets just read were fresh', async () => {
    const { store, reads } = storeOf({ orgId: 'o1', secrets: ['old'], cached: false }, { orgId: 'o1', secrets: ['good'], cached: false });
    expect(await verifySource(store, 'src_1', 'standard', verifyWith)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(reads).toEqual({ cached: 1, fresh: 0 });
  });

  it("treats another kind's source as unknown, before and after a fresh read", async () => {
    const stripe = { orgId: 'o1', kind: 'stripe', secrets: ['good'], cached: true };
    expect(await verifySource(storeOf(stripe, undefined).store, 'src_1', 'standard', verifyWith)).toEqual({ ok: false, reason: 'unknown_source' });
    expect(await verifySource(storeOf(undefined, undefined).store, 'src_1', 'stripe', verifyWith)).toEqual({ ok: false, reason: 'unknown_source' });
    const changed = storeOf({ orgId: 'o1', kind: 'stripe', secrets: ['old'], cached: true }, { orgId: 'o1', kind: 'shopify', secrets: ['good'], cached: false });
    expect(await verifySource(changed.store, 'src_1', 'stripe', verifyWith)).toEqual({ ok: false, reason: 'unknown_source' });
    expect(await verifySource(storeOf({ ...stripe, kind: undefined }, undefined).store, 'src_1', 'standard', verifyWith)).toMatchObject({ ok: true });
  });
});
