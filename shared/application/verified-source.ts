/**
 * The first step of every conversion route: find the webhook source, check that it is signed the
 * way this route verifies, and verify the signature with its secrets — asking once more for fresh
 * secrets when the cached ones fail, since a secret rotated moments ago may not be in this
 * container's cache yet. One definition for the Standard Webhooks route and the vendor receivers.
 */
import type { ConversionIntakeStore } from './take-conversion.js';

type Verification = { ok: true } | { ok: false; reason: string };

export type SourceVerification<V extends Verification> =
  | { ok: true; orgId: string; verified: Extract<V, { ok: true }> }
  | { ok: false; reason: 'unknown_source' | Extract<V, { ok: false }>['reason'] };

export const verifySource = async <V extends Verification>(
  store: ConversionIntakeStore,
  sourceId: string,
  /** Who must sign the source's messages on this route (`standard`: our own secrets). */
  kind: string,
  verify: (secrets: string[]) => V,
): Promise<SourceVerification<V>> => {
  const signedHere = (source: Awaited<ReturnType<ConversionIntakeStore['verificationSecrets']>>) =>
    source !== undefined && (source.kind ?? 'standard') === kind;
  let source = await store.verificationSecrets(sourceId);
  // Another kind's source does not exist on this route: its secret means nothing here.
  if (!signedHere(source)) return { ok: false, reason: 'unknown_source' };
  let verified = verify(source!.secrets);
  if (!verified.ok && verified.reason === 'invalid_signature' && source!.cached) {
    source = await store.verificationSecrets(sourceId, { fresh: true });
    if (!signedHere(source)) return { ok: false, reason: 'unknown_source' };
    verified = verify(source!.secrets);
  }
  if (!verified.ok) return { ok: false, reason: (verified as Extract<V, { ok: false }>).reason };
  return { ok: true, orgId: source!.orgId, verified: verified as Extract<V, { ok: true }> };
};
