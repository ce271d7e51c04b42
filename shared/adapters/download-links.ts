/**
 * Signed download links of exports: an HMAC-SHA256 over the organization, the export id and the link's expiry,
 * under a key only the server holds, so a link cannot be extended or pointed at another export.
 *
 * On AWS: a KMS HMAC key (`DOWNLOAD_MAC_KMS_KEY_ID`): GenerateMac / VerifyMac, the key never
 * leaves KMS. Locally: a key derived (HKDF) from the local secrets key the runtime keeps in
 * DATA_DIR (`LOCAL_SECRETS_KEY`, shared/adapters/secret-box.ts), compared in constant time.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { GenerateMacCommand, KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import { downloadLinkMessage } from '../domain/exports.js';

let kms: KMSClient | undefined;

const localMacKey = (): Buffer => {
  const encoded = process.env.LOCAL_SECRETS_KEY;
  const secrets = encoded ? Buffer.from(encoded, 'base64') : undefined;
  if (!secrets || secrets.length !== 32) throw new Error('No download-link key configured (DOWNLOAD_MAC_KMS_KEY_ID or LOCAL_SECRETS_KEY)');
  // A key of its own: a link signature can never be mistaken for a sealed webhook secret.
  return Buffer.from(hkdfSync('sha256', secrets, Buffer.alloc(0), 'export-download-links', 32));
};

export const signDownload = async (orgId: string, exportId: string, expires: number): Promise<string> => {
  const message = Buffer.from(downloadLinkMessage(orgId, exportId, expires));
  const keyId = process.env.DOWNLOAD_MAC_KMS_KEY_ID;
  if (keyId) {
    kms ??= new KMSClient({});
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message }));
    return Buffer.from(Mac!).toString('base64url');
  }
  return createHmac('sha256', localMacKey()).update(message).digest('base64url');
};

/** Whether `signature` is this server's for the export and expiry (it says nothing of the time). */
export const verifyDownload = async (orgId: string, exportId: string, expires: number, signature: string): Promise<boolean> => {
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== 32) return false;
  const message = Buffer.from(downloadLinkMessage(orgId, exportId, expires));
  const keyId = process.env.DOWNLOAD_MAC_KMS_KEY_ID;
  if (keyId) {
    kms ??= new KMSClient({});
    try {
      const { MacValid } = await kms.send(new VerifyMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: message, Mac: given }));
      return MacValid === true;
    } catch (error) {
      if ((error as { name?: string }).name === 'KMSInvalidMacException') return false;
      throw error;
    }
  }
  return timingSafeEqual(createHmac('sha256', localMacKey()).update(message).digest(), given);
};

/**
 * The local runtime's stand-in for a presigned S3 URL of an export file: the download route
 * redirects to `LOCAL_EXPORT_FILE_PATH?key=…&expires=…&signature=…`, which the local HTTP server
 * streams from the exports directory (infra/local/http-api/export-files.ts). Signed like a download
 * link, under a key of its own.
 */
export const LOCAL_EXPORT_FILE_PATH = '/_local/export-file';

const localFileMessage = (key: string, expires: number) => Buffer.from(`local-export-file:v1:${key}:${expires}`);
const localFileKey = (): Buffer => Buffer.from(hkdfSync('sha256', localMacKey(), Buffer.alloc(0), 'local-export-file-urls', 32));

export const localExportFileQuery = (key: string, expires: number): string =>
  new URLSearchParams({ key, expires: String(expires), signature: createHmac('sha256', localFileKey()).update(localFileMessage(key, expires)).digest('base64url') }).toString();

/** The export file's key a local file URL names, when its signature holds and it has not expired. */
export const verifiedLocalExportFile = (query: URLSearchParams, nowSeconds: number): string | undefined => {
  const key = query.get('key');
  const expires = Number(query.get('expires'));
  const given = Buffer.from(query.get('signature') ?? '', 'base64url');
  if (!key || !Number.isSafeInteger(expires) || given.length !== 32 || expires <= nowSeconds) return undefined;
  const expected = createHmac('sha256', localFileKey()).update(localFileMessage(key, expires)).digest();
  return timingSafeEqual(expected, given) ? key : undefined;
};
