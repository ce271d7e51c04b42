/**
 * Where an export's file is read from: locally the object-store directory (OBJECT_STORE_DIR),
 * whose file the download route answers with; on AWS the exports bucket, to which the download
 * route redirects with a short-lived presigned URL.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ExportFileAnswer = { kind: 'file'; body: Buffer } | { kind: 'redirect'; url: string };

/** The file's answer, or undefined when there is no such file (expired by the lifecycle). */
export const exportFileAnswer = async (fileKey: string): Promise<ExportFileAnswer | undefined> => {
  if (process.env.EXPORTS_BUCKET) {
    const { presignedExportUrl } = await import('./export-files-s3.js');
    return { kind: 'redirect', url: await presignedExportUrl(fileKey) };
  }
  const root = process.env.OBJECT_STORE_DIR;
  if (!root) throw new Error('No export store configured (EXPORTS_BUCKET or OBJECT_STORE_DIR)');
  try {
    return { kind: 'file', body: await readFile(join(root, fileKey)) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};
