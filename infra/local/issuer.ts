/**
 * The local stand-in for a company's identity provider: an ES256 key pair kept in DATA_DIR
 * (also in --in-memory mode, so `npm run admin -- token` can sign for a running system), its
 * public half served as a JWKS by the local runtime, and advocate tokens signed with it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

export const LOCAL_ISSUER = 'https://issuer.advocacy.localhost';
export const LOCAL_AUDIENCE = 'advocacy-api';
const ALGORITHM = 'ES256';

export interface LocalIssuer {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  sign(claims: { orgId: string; advocateId: string; ttlSeconds?: number; extra?: Record<string, unknown> }): Promise<string>;
}

const createKeys = async (): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `local-${Date.now().toString(36)}`, alg: ALGORITHM, use: 'sig' };
};

/** Loads the key pair from `<dataDir>/issuer-key.json`, creating it on first use. */
export const loadOrCreateIssuer = async (dataDir: string): Promise<LocalIssuer> => {
  const file = join(dataDir, 'issuer-key.json');
  let privateJwk: JWK;
  if (existsSync(file)) {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    mkdirSync(dataDir, { recursive: true });
    privateJwk = await createKeys();
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  const signingKey = await importJWK(privateJwk, ALGORITHM);
  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwks: { keys: [publicJwk] },
    sign: async ({ orgId, advocateId, ttlSeconds = 3600, extra = {} }) =>
      new SignJWT({ ...extra, org: orgId })
        .setProtectedHeader({ alg: ALGORITHM, kid: privateJwk.kid, typ: 'JWT' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(advocateId)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(signingKey),
  };
};

/**
 * The local stand-in for KMS: the AES-256 key that seals webhook secrets (LOCAL_SECRETS_KEY),
 * kept in `<dataDir>/secrets-key` so sealed secrets survive restarts; a fresh one without a dataDir.
 */
export const loadOrCreateSecretsKey = (dataDir: string | undefined): string => {
  if (!dataDir) return randomBytes(32).toString('base64');
  const file = join(dataDir, 'secrets-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, key, { mode: 0o600 });
  return key;
};
