/**
 * Object storage for the history archive (and the exports built on it): S3 on AWS, a directory
 * locally. Both keep the same promise — a reader sees a whole object or none (S3 PutObject is
 * atomic; the directory store writes a temporary file and renames it into place) — so code above
 * this file never knows which one it has. Keys are `/`-separated paths relative to the store.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { archiveBucketEnvVar, archiveDirEnvVar } from '../settings.js';

export interface ObjectStore {
  /**
   * Stores `bytes` under `key`, replacing any object there; readers never see a partial object.
   * `tags`: S3 object tags, which the bucket's lifecycle rules expire objects by (the archive's
   * retention classes). The directory store keeps no tags: a local runtime's archive lives as long
   * as its directory (docs/privacy.md).
   */
  put(key: string, bytes: Uint8Array, contentType: string, tags?: Readonly<Record<string, string>>): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key starting with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** The object's path on this machine (directory store only: DuckDB reads files directly). */
  localPath(key: string): string | undefined;
  /** A time-limited download URL (S3 only; undefined for the directory store). */
  presignGet(key: string, expiresSeconds: number): Promise<string | undefined>;
}

const TEMP_SUFFIX = '.partial';

/** A directory as an object store: `<root>/<key>`. Temporary files end in `.partial` and are never listed. */
export const directoryObjectStore = (root: string): ObjectStore => {
  const base = resolve(root);
  const pathOf = (key: string): string => {
    const path = resolve(base, key);
    // A key is data; it must never name a file outside the store.
    if (path !== base && !path.startsWith(base + sep)) throw new Error(`Object key escapes the store: ${key}`);
    return path;
  };
  const walk = async (dir: string): Promise<string[]> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) found.push(...(await walk(path)));
      else if (!entry.name.endsWith(TEMP_SUFFIX)) found.push(relative(base, path).split(sep).join('/'));
    }
    return found;
  };
  return {
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temp = `${path}.${randomUUID()}${TEMP_SUFFIX}`;
      await writeFile(temp, bytes);
      await rename(temp, path);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async list(prefix) {
      // Walk only the deepest directory the prefix names, then filter by the whole prefix.
      const slash = prefix.lastIndexOf('/');
      const start = slash < 0 ? base : pathOf(prefix.slice(0, slash));
      return (await walk(start)).filter((key) => key.startsWith(prefix)).sort();
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    localPath: (key) => pathOf(key),
    presignGet: async () => undefined,
  };
};

/** An S3 bucket as an object store. `client` is injectable so tests can point it at a local S3 server. */
export const s3ObjectStore = (bucket: string, client: S3Client = new S3Client({ maxAttempts: 3 })): ObjectStore => ({
  async put(key, bytes, contentType, tags) {
    const tagging = tags && Object.keys(tags).length ? new URLSearchParams(tags).toString() : undefined;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType, ...(tagging ? { Tagging: tagging } : {}) }));
  },
  async get(key) {
    try {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  },
  async list(prefix) {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  },
  async delete(key) {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  localPath: () => undefined,
  presignGet: (key, expiresSeconds) =>
    getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresSeconds }),
});

let archive: { where: string; store: ObjectStore } | undefined;

/**
 * The archive's store, chosen by the environment: `ARCHIVE_BUCKET` (AWS) or `ARCHIVE_DIR` (the
 * local runtime). Kept while the setting stays the same (one per container on AWS; a test process
 * may start several local runtimes, each with its own directory).
 */
export const archiveStore = (): ObjectStore => {
  const store = configuredArchiveStore();
  if (!store) throw new Error(`Missing environment variable ${archiveBucketEnvVar} (or ${archiveDirEnvVar} locally)`);
  return store;
};

/** The archive's store, or undefined where none is configured (a process that only reads the hot tables). */
export const configuredArchiveStore = (): ObjectStore | undefined => {
  const bucket = process.env[archiveBucketEnvVar];
  const dir = process.env[archiveDirEnvVar];
  const where = bucket ? `s3:${bucket}` : dir ? `dir:${dir}` : undefined;
  if (!where) return undefined;
  if (archive?.where !== where) archive = { where, store: bucket ? s3ObjectStore(bucket) : directoryObjectStore(dir!) };
  return archive.store;
};
