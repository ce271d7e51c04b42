/**
 * Sealing of webhook signing secrets at rest. HMAC verification needs the secret itself, so it
 * cannot be hashed like an API key; it is encrypted instead, and a table dump shows ciphertext.
 *
 * On AWS: KMS Encrypt/Decrypt with the stack's key (`SECRETS_KMS_KEY_ID`), with the organization
 * and source bound as encryption context. Locally: AES-256-GCM with a key kept in DATA_DIR
 * (`LOCAL_SECRETS_KEY`, base64), the same context as additional authenticated data.
 * Opened secrets are cached per container for a minute: one KMS call per source per minute.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createTtlCache } from './ttl-cache.js';

const LOCAL_PREFIX = 'local:v1:';
const KMS_PREFIX = 'kms:v1:';
const CACHE_TTL_MS = 60_000;

let kms: KMSClient | undefined;
/** Opened secrets by their sealed form (bounded: a container serves a few sources). */
const cache = createTtlCache<string>(1000);

const contextString = (context: Record<string, string>) =>
  Object.keys(context)
    .sort()
    .map((key) => `${key}=${context[key]}`)
    .join('&');

const localKey = (): Buffer => {
  const encoded = process.env.LOCAL_SECRETS_KEY;
  const key = encoded ? Buffer.from(encoded, 'base64') : undefined;
  if (!key || key.length !== 32) throw new Error('No secrets key configured (SECRETS_KMS_KEY_ID or LOCAL_SECRETS_KEY)');
  return key;
};

export const sealSecret = async (plain: string, context: Record<string, string>): Promise<string> => {
  const keyId = process.env.SECRETS_KMS_KEY_ID;
  if (keyId) {
    kms ??= new KMSClient({});
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(plain, 'utf8'), EncryptionContext: context }),
    );
    return KMS_PREFIX + Buffer.from(CiphertextBlob!).toString('base64');
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', localKey(), iv);
  cipher.setAAD(Buffer.from(contextString(context)));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return LOCAL_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
};

export const openSecret = async (sealed: string, context: Record<string, string>): Promise<string> => {
  const cached = cache.get(sealed);
  if (cached) return cached.value;
  let plain: string;
  if (sealed.startsWith(KMS_PREFIX)) {
    kms ??= new KMSClient({});
    const { Plaintext } = await kms.send(
      new DecryptCommand({ CiphertextBlob: Buffer.from(sealed.slice(KMS_PREFIX.length), 'base64'), EncryptionContext: context }),
    );
    plain = Buffer.from(Plaintext!).toString('utf8');
  } else if (sealed.startsWith(LOCAL_PREFIX)) {
    const bytes = Buffer.from(sealed.slice(LOCAL_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', localKey(), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(contextString(context)));
    decipher.setAuthTag(bytes.subarray(12, 28));
    plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } else {
    throw new Error('Unknown sealed secret format');
  }
  cache.set(sealed, plain, CACHE_TTL_MS);
  return plain;
};
