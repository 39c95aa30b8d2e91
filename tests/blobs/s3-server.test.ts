import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, noisyJpeg, type RunningServer, upload } from '../load/support';
import { makeTempDir } from '../support/env';
import { boothAuth, startServer } from '../support/server';
import { createBucket, type RunningSwift, startSwift, swiftClient } from '../support/swift';

/**
 * The built server (`node server.mjs`, two workers) with S3_BUCKET on a real OpenStack Swift:
 * photos and results go to the bucket, are served byte-identical through the app's routes with
 * their ETag and 304, a refusing bucket is 507 in every worker, and a deleted session's objects go.
 * Nothing of the bytes is written under DATA_DIR.
 */

const BUCKET = 'pb-server';
const PREFIX = 'fleet-1/';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let swift: RunningSwift;
let admin: S3Client;
let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  swift = await startSwift();
  admin = swiftClient(swift);
  await createBucket(admin, BUCKET);
  dataDir = makeTempDir('pb-s3-server-');
  server = await startServer(dataDir, {
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: swift.endpoint,
    S3_REGION: swift.region,
    S3_ACCESS_KEY_ID: swift.accessKeyId,
    S3_SECRET_ACCESS_KEY: swift.secretAccessKey,
    S3_FORCE_PATH_STYLE: '1',
    S3_PREFIX: PREFIX,
  });
}, 600_000);

afterAll(async () => {
  await server?.stop();
  admin?.destroy();
  await swift?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function keys(prefix = ''): Promise<string[]> {
  const res = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}${prefix}` }));
  return (res.Contents ?? []).map((o) => (o.Key as string).slice(PREFIX.length)).sort();
}

async function object(key: string): Promise<Buffer> {
  const res = await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${key}` }));
  const chunks: Buffer[] = [];
  for await (const c of res.Body as Readable) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const r = await fetch(`${server.url}${url}`, { headers, method });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

const photoCount = async (id: string): Promise<number> =>
  ((await (await fetch(`${server.url}/api/session/${id}`)).json()) as { session: { photo_count: number } })
    .session.photo_count;

describe('the built server with S3_BUCKET', () => {
  it('a multi-MB photo: 201, in the bucket, served byte-identical by both workers with ETag and 304', async () => {
    const id = await createSession(server.url);
    const r = await upload(server.url, id, await noisyJpeg(11, 2400, 1800));
    expect(r.status).toBe(201);
    const photoId = r.json.photo.id as string;
    expect(await keys(`photos/${id}/`)).toEqual([
      `photos/${id}/${photoId}.jpg`,
      `photos/${id}/${photoId}.thumb.jpg`,
    ]);
    const stored = await object(`photos/${id}/${photoId}.jpg`);
    expect(stored.length).toBe(r.json.photo.bytes);
    expect(stored.length).toBeGreaterThan(1_000_000);

    const url = `/api/session/${id}/photos/${photoId}`;
    for (let i = 0; i < 2; i++) {
      const got = await get(url);
      expect(got.status).toBe(200);
      expect(sha(got.body)).toBe(sha(stored));
      expect(got.headers.get('etag')).toBe(`"${sha(stored).slice(0, 32)}"`);
      expect(got.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(got.headers.get('content-type')).toBe('image/jpeg');
    }
    const etag = (await get(url)).headers.get('etag') as string;
    const cached = await get(url, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    const head = await get(url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const thumb = await get(`${url}?variant=thumb`);
    expect(thumb.body.equals(await object(`photos/${id}/${photoId}.thumb.jpg`))).toBe(true);

    // Compose reads the photos from the bucket; the result lands there and is served from it.
    const c = await fetch(`${server.url}/api/session/${id}/compose`, {
      method: 'POST',
      headers: { ...boothAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ layout: 'single' }),
    });
    expect(c.status).toBe(201);
    const resultId = ((await c.json()) as { photo: { id: string } }).photo.id;
    const res = await get(`/api/session/${id}/result`, boothAuth);
    expect(res.status).toBe(200);
    expect(res.body.equals(await object(`photos/${id}/${resultId}.jpg`))).toBe(true);

    // Deleting the session deletes its objects.
    const del = await fetch(`${server.url}/api/session/${id}`, { method: 'DELETE', headers: boothAuth });
    expect(del.status).toBe(204);
    expect(await keys(`photos/${id}/`)).toEqual([]);
    expect((await get(url)).status).toBe(404);

    for (const d of ['photos', 'pictures', 'frames'])
      expect(fs.existsSync(path.join(dataDir, d))).toBe(false);
  }, 120_000);

  it('the bucket refusing writes: 507 storage_unavailable from every worker, nothing counted or left; then 201', async () => {
    const id = await createSession(server.url);
    const photo = await noisyJpeg(3, 1600, 1200);
    await swift.refuseWrites();
    try {
      for (let i = 0; i < 2; i++) {
        const r = await upload(server.url, id, photo);
        expect(r.status).toBe(507);
        expect(r.json.error.code).toBe('storage_unavailable');
      }
    } finally {
      await swift.acceptWrites();
    }
    expect(await photoCount(id)).toBe(0);
    expect(await keys(`photos/${id}/`)).toEqual([]);
    const ok = await upload(server.url, id, photo);
    expect(ok.status).toBe(201);
    expect(ok.json.photo.order_index).toBe(0);
    expect(await keys(`photos/${id}/`)).toHaveLength(2);
  }, 120_000);
});
