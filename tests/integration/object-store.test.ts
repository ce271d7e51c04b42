/**
 * The archive's object stores (shared/adapters/object-store.ts) keep one contract: the directory
 * store on a temporary directory, the S3 store against s3rver (an S3-compatible server from npm,
 * run in this process on a random port, offline). Both: put replaces whole objects, get of a
 * missing key is undefined, list filters by prefix and sorts, delete is idempotent.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryObjectStore, s3ObjectStore, type ObjectStore } from '../../shared/adapters/object-store.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined => (data ? new TextDecoder().decode(data) : undefined);

let directory: string;
let s3Directory: string;
let server: S3rver;
let s3Endpoint: string;
const BUCKET = 'archive-test';

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'object-store-'));
  s3Directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory });
  const address = (await server.run()) as AddressInfo;
  s3Endpoint = `http://127.0.0.1:${address.port}`;
  await s3Client().send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await server?.close();
  await rm(directory, { recursive: true, force: true });
  await rm(s3Directory, { recursive: true, force: true });
});

const s3Client = (): S3Client =>
  new S3Client({
    endpoint: s3Endpoint,
    region: 'eu-central-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });

const stores: Array<[string, () => ObjectStore]> = [
  ['directory', () => directoryObjectStore(directory)],
  ['S3 (s3rver)', () => s3ObjectStore(BUCKET, s3Client())],
];

describe.each(stores)('%s object store', (name, storeOf) => {
  const prefix = `t-${name.split(' ')[0]}`;

  it('puts, replaces, gets, lists by prefix and deletes', async () => {
    const store = storeOf();
    await store.put(`${prefix}/a/x.parquet`, bytes('one'), 'application/octet-stream');
    await store.put(`${prefix}/a/x.parquet`, bytes('two'), 'application/octet-stream');
    await store.put(`${prefix}/a/y.parquet`, bytes('three'), 'application/octet-stream');
    await store.put(`${prefix}/ab/z.json`, bytes('{}'), 'application/json');
    await store.put(`${prefix}/b/w.json`, bytes('{}'), 'application/json');

    expect(text(await store.get(`${prefix}/a/x.parquet`))).toBe('two');
    expect(await store.get(`${prefix}/a/missing`)).toBeUndefined();
    expect(await store.list(`${prefix}/a/`)).toEqual([`${prefix}/a/x.parquet`, `${prefix}/a/y.parquet`]);
    expect(await store.list(`${prefix}/a`)).toEqual([`${prefix}/a/x.parquet`, `${prefix}/a/y.parquet`, `${prefix}/ab/z.json`]);
    expect(await store.list(`${prefix}/none/`)).toEqual([]);

    await store.delete(`${prefix}/a/x.parquet`);
    await store.delete(`${prefix}/a/x.parquet`);
    expect(await store.get(`${prefix}/a/x.parquet`)).toBeUndefined();
    expect(await store.list(`${prefix}/a/`)).toEqual([`${prefix}/a/y.parquet`]);
  });

  it('keeps binary bytes exactly', async () => {
    const store = storeOf();
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    await store.put(`${prefix}/binary.bin`, data, 'application/octet-stream');
    expect(await store.get(`${prefix}/binary.bin`)).toEqual(data);
  });
});

describe('directory object store', () => {
  it('leaves no temporary file behind and refuses keys outside its directory', async () => {
    const store = directoryObjectStore(directory);
    await store.put('atomic/one.parquet', bytes('whole'), 'application/octet-stream');
    expect(await readdir(join(directory, 'atomic'))).toEqual(['one.parquet']);
    expect(store.localPath('atomic/one.parquet')).toBe(join(directory, 'atomic', 'one.parquet'));
    await expect(store.put('../escape', bytes('x'), 'text/plain')).rejects.toThrow(/escapes/);
    expect(await store.presignGet('atomic/one.parquet', 60)).toBeUndefined();
  });
});

describe('S3 object store', () => {
  it('presigns a download URL that fetches the object, and has no local path', async () => {
    const store = s3ObjectStore(BUCKET, s3Client());
    await store.put('signed/file.csv', bytes('a,b\n1,2\n'), 'text/csv');
    const url = await store.presignGet('signed/file.csv', 60);
    expect(url).toMatch(/X-Amz-Expires=60/);
    const answer = await fetch(url!);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('a,b\n1,2\n');
    expect(store.localPath('signed/file.csv')).toBeUndefined();
  });

  it("sends an object's tags with its PutObject (the archive's retention class; lifecycle rules expire by it)", async () => {
    const client = s3Client();
    const sentTags: Array<string | undefined> = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { method?: string; headers?: Record<string, string> };
        if (request.method === 'PUT') sentTags.push(request.headers?.['x-amz-tagging']);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordTagging' },
    );
    const store = s3ObjectStore(BUCKET, client);
    await store.put('tagged/file.parquet', bytes('x'), 'application/octet-stream', { 'retention-days': '100' });
    await store.put('tagged/untagged.parquet', bytes('y'), 'application/octet-stream');
    expect(sentTags).toEqual(['retention-days=100', undefined]);
    expect(text(await store.get('tagged/file.parquet'))).toBe('x');
  });
});
