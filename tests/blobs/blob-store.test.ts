import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, DiskBlobStore, S3BlobStore } from '@/lib/blobs';
import { ApiError } from '@/lib/errors';
import { noiseJpeg } from '../../bench/lib/images';
import { freePort } from '../../bench/lib/util';
import { makeTempDir } from '../support/env';
import { createBucket, type RunningSwift, startSwift, swiftClient } from '../support/swift';

/**
 * One suite, both stores: files in a directory, and an S3 bucket on a real OpenStack Swift (its
 * s3api checks signatures for real). What later code relies on: bytes come back identical, ranges,
 * listings for the orphan sweep, a failed upload leaves nothing, a broken store is 507.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function bufferOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** A stream of `data` in 64 KiB chunks that fails after `failAfter` bytes, if given. */
function chunked(data: Buffer, failAfter?: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && offset >= failAfter) {
        this.destroy(new Error('upload cut off'));
        return;
      }
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + 65536, data.length);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
}

let photo: Buffer; // a real 3000×2000 camera-noise JPEG, about 4 MB
let dir: string;

beforeAll(async () => {
  photo = await noiseJpeg();
  dir = makeTempDir('pb-blobs-');
}, 60_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Harness {
  store: BlobStore;
  /** A store of the same kind that cannot write (then restored by the returned function). */
  breakWrites(): Promise<{ store: BlobStore; restore(): Promise<void> }>;
  /** Nothing left behind by a failed upload (temporary files, unfinished multipart uploads). */
  leftovers(): Promise<number>;
  stop(): Promise<void>;
}

async function diskHarness(): Promise<Harness> {
  const root = path.join(dir, 'disk');
  const tmpDir = path.join(root, 'tmp');
  const store = new DiskBlobStore({ root, tmpDir });
  return {
    store,
    async breakWrites() {
      // Running as root, permissions do not stop a write: a root that is a regular file does.
      const file = path.join(dir, 'not-a-folder');
      fs.writeFileSync(file, 'x');
      return {
        store: new DiskBlobStore({ root: file, tmpDir: path.join(file, 'tmp') }),
        async restore() {
          fs.rmSync(file, { force: true });
        },
      };
    },
    async leftovers() {
      return fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir).length : 0;
    },
    async stop() {},
  };
}

const BUCKET = 'pb-test';

async function s3Harness(): Promise<Harness> {
  const swift: RunningSwift = await startSwift();
  const config = {
    bucket: BUCKET,
    endpoint: swift.endpoint,
    region: swift.region,
    credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
    forcePathStyle: true,
    prefix: 'deploy-a/',
  };
  const admin = swiftClient(swift);
  await createBucket(admin, BUCKET);
  const store = new S3BlobStore(config);
  return {
    store,
    async breakWrites() {
      await swift.refuseWrites();
      return { store, restore: () => swift.acceptWrites() };
    },
    async leftovers() {
      const res = await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
      return res.Uploads?.length ?? 0;
    },
    async stop() {
      admin.destroy();
      store.client.destroy();
      await swift.stop();
    },
  };
}

describe.each([
  ['disk', diskHarness],
  ['S3 on OpenStack Swift', s3Harness],
])('blob store: %s', (_name, make) => {
  let h: Harness;
  let store: BlobStore;
  beforeAll(async () => {
    h = await make();
    store = h.store;
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('gives back a multi-MB JPEG byte-identical, with its size', async () => {
    expect(photo.length).toBeGreaterThan(3_000_000);
    expect(await store.put('photos/s1/a.jpg', photo, { contentType: 'image/jpeg' })).toEqual({
      bytes: photo.length,
    });
    const got = await store.get('photos/s1/a.jpg');
    expect(got).not.toBeNull();
    expect(got?.bytes).toBe(photo.length);
    expect(got?.totalBytes).toBe(photo.length);
    const bytes = await bufferOf(got?.body as Readable);
    expect(sha(bytes)).toBe(sha(photo));
    expect((await sharp(bytes).metadata()).width).toBe(3000);
    const st = await store.stat('photos/s1/a.jpg');
    expect(st?.bytes).toBe(photo.length);
    expect(Math.abs((st?.lastModified.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('serves byte ranges', async () => {
    const mid = await store.get('photos/s1/a.jpg', { range: { start: 1000, end: 1999 } });
    expect(mid?.bytes).toBe(1000);
    expect(mid?.totalBytes).toBe(photo.length);
    expect((await bufferOf(mid?.body as Readable)).equals(photo.subarray(1000, 2000))).toBe(true);
    const tail = await store.get('photos/s1/a.jpg', { range: { start: photo.length - 10 } });
    expect(tail?.bytes).toBe(10);
    expect((await bufferOf(tail?.body as Readable)).equals(photo.subarray(photo.length - 10))).toBe(true);
    const past = await store.get('photos/s1/a.jpg', { range: { start: photo.length + 5 } });
    expect(past?.bytes).toBe(0);
    expect((await bufferOf(past?.body as Readable)).length).toBe(0);
  });

  it('stores from a file path and from a stream (one that needs several parts)', async () => {
    const file = path.join(dir, 'photo.jpg');
    fs.writeFileSync(file, photo);
    expect(await store.put('photos/s1/b.jpg', file, { contentType: 'image/jpeg' })).toEqual({
      bytes: photo.length,
    });
    const big = Buffer.concat([photo, photo.subarray(0, 5_000_000)]); // over the 8 MB part size
    expect(
      await store.put('photos/s1/c.bin', chunked(big), { contentType: 'application/octet-stream' }),
    ).toEqual({
      bytes: big.length,
    });
    expect(sha(await bufferOf((await store.get('photos/s1/b.jpg'))?.body as Readable))).toBe(sha(photo));
    expect(sha(await bufferOf((await store.get('photos/s1/c.bin'))?.body as Readable))).toBe(sha(big));
    const small = Buffer.from('a small stream');
    await store.put('photos/s1/d.txt', Readable.from([small]), { contentType: 'text/plain' });
    expect(await text((await store.get('photos/s1/d.txt'))?.body as Readable)).toBe('a small stream');
  });

  it('replaces a blob put again under its key', async () => {
    await store.put('frames/e1/f.png', Buffer.from('one'), { contentType: 'image/png' });
    await store.put('frames/e1/f.png', Buffer.from('two!'), { contentType: 'image/png' });
    const got = await store.get('frames/e1/f.png');
    expect(got?.bytes).toBe(4);
    expect(await text(got?.body as Readable)).toBe('two!');
  });

  it('answers null for a missing key, and deleting one is not an error', async () => {
    expect(await store.get('photos/none/x.jpg')).toBeNull();
    expect(await store.stat('photos/none/x.jpg')).toBeNull();
    await expect(store.delete('photos/none/x.jpg')).resolves.toBeUndefined();
    expect(await store.get('photos/s1')).toBeNull(); // a folder is not a blob
  });

  it('refuses keys that could leave their namespace', async () => {
    for (const key of ['../x.jpg', '/etc/passwd', 'photos//a.jpg', 'photos/../../x', '', 'photos/.hidden']) {
      await expect(store.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(
        TypeError,
      );
      await expect(store.get(key)).rejects.toThrow(TypeError);
    }
    await expect(store.deletePrefix('')).rejects.toThrow(TypeError);
  });

  it('lists a prefix in key order with sizes and times, and deletes a prefix', async () => {
    const before = Date.now();
    await store.put('photos/s2/a.jpg', photo.subarray(0, 1234), { contentType: 'image/jpeg' });
    await store.put('photos/s2-other/a.jpg', Buffer.from('other'), { contentType: 'image/jpeg' });
    const listed = [];
    for await (const e of store.list('photos/s1/')) listed.push(e);
    expect(listed.map((e) => e.key)).toEqual([
      'photos/s1/a.jpg',
      'photos/s1/b.jpg',
      'photos/s1/c.bin',
      'photos/s1/d.txt',
    ]);
    expect(listed[0]?.bytes).toBe(photo.length);
    for (const e of listed) {
      expect(e.lastModified).toBeInstanceOf(Date);
      expect(e.lastModified.getTime()).toBeGreaterThan(before - 120_000);
      expect(e.lastModified.getTime()).toBeLessThan(Date.now() + 5_000);
    }
    const all = [];
    for await (const e of store.list('photos/')) all.push(e.key);
    expect(all).toEqual([...listed.map((e) => e.key), 'photos/s2-other/a.jpg', 'photos/s2/a.jpg']);
    const partial = [];
    for await (const e of store.list('photos/s2')) partial.push(e.key);
    expect(partial).toEqual(['photos/s2-other/a.jpg', 'photos/s2/a.jpg']);

    expect(await store.deletePrefix('photos/s1/')).toBe(4);
    const after = [];
    for await (const e of store.list('photos/')) after.push(e.key);
    expect(after).toEqual(['photos/s2-other/a.jpg', 'photos/s2/a.jpg']);
    expect(await store.get('photos/s1/a.jpg')).toBeNull();
    await store.delete('photos/s2/a.jpg');
    expect(await store.stat('photos/s2/a.jpg')).toBeNull();
    expect(await store.stat('photos/s2-other/a.jpg')).not.toBeNull();
  });

  it('leaves nothing when the upload stream fails, small or in parts', async () => {
    const big = Buffer.concat([photo, photo, photo]);
    for (const [key, failAfter] of [
      ['photos/s3/small.jpg', 200_000],
      ['photos/s3/big.bin', 10_000_000],
    ] as const) {
      const err = await store
        .put(key, chunked(big, failAfter), { contentType: 'image/jpeg' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ApiError); // the guest's cut-off upload, not the store's failure
      expect(await store.get(key)).toBeNull();
    }
    const listed = [];
    for await (const e of store.list('photos/s3/')) listed.push(e);
    expect(listed).toEqual([]);
    expect(await h.leftovers()).toBe(0);
  });

  it('a store that cannot write answers storage_unavailable (507), and writes again once restored', async () => {
    const broken = await h.breakWrites();
    try {
      const err = await broken.store
        .put('photos/s4/a.jpg', photo, { contentType: 'image/jpeg' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('storage_unavailable');
      expect(err.status).toBe(507);
      const fromStream = await broken.store
        .put('photos/s4/b.jpg', chunked(photo), { contentType: 'image/jpeg' })
        .catch((e) => e);
      expect(fromStream).toBeInstanceOf(ApiError);
      expect(fromStream.code).toBe('storage_unavailable');
    } finally {
      await broken.restore();
    }
    expect(await store.put('photos/s4/a.jpg', photo, { contentType: 'image/jpeg' })).toEqual({
      bytes: photo.length,
    });
    expect(sha(await bufferOf((await store.get('photos/s4/a.jpg'))?.body as Readable))).toBe(sha(photo));
  }, 60_000);
});

describe('S3 blob store: the bucket is private and its failures are 507', () => {
  let swift: RunningSwift;
  let store: S3BlobStore;
  beforeAll(async () => {
    swift = await startSwift();
    const credentials = { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey };
    const admin = swiftClient(swift);
    await createBucket(admin, BUCKET);
    admin.destroy();
    store = new S3BlobStore({
      bucket: BUCKET,
      endpoint: swift.endpoint,
      region: swift.region,
      credentials,
      forcePathStyle: true,
      prefix: '',
    });
  }, 90_000);
  afterAll(async () => {
    store?.client.destroy();
    await swift?.stop();
  });

  it('refuses an unsigned GET of the object URL, and a wrongly signed one', async () => {
    await store.put('pictures/e1/p.jpg', photo, { contentType: 'image/jpeg' });
    const url = `${swift.endpoint}/${BUCKET}/pictures/e1/p.jpg`;
    const unsigned = await fetch(url);
    expect(unsigned.ok).toBe(false);
    expect([400, 401, 403]).toContain(unsigned.status);
    const body = Buffer.from(await unsigned.arrayBuffer());
    expect(body.length).toBeLessThan(10_000);
    expect(body.includes(photo.subarray(0, 64))).toBe(false);
    // The Swift API beside it, without a token, refuses too.
    const swiftApi = await fetch(`${swift.endpoint}/v1/AUTH_test/${BUCKET}/pictures/e1/p.jpg`);
    expect(swiftApi.ok).toBe(false);
    const wrong = new S3BlobStore({
      bucket: BUCKET,
      endpoint: swift.endpoint,
      region: swift.region,
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: 'not-the-secret' },
      forcePathStyle: true,
      prefix: '',
    });
    const err = await wrong.get('pictures/e1/p.jpg').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('storage_unavailable');
    wrong.client.destroy();
    // The rightful reader still gets it.
    expect(sha(await bufferOf((await store.get('pictures/e1/p.jpg'))?.body as Readable))).toBe(sha(photo));
  });

  it('a bucket that is not there, or no server at all, is storage_unavailable', async () => {
    const missing = new S3BlobStore({
      bucket: 'no-such-bucket',
      endpoint: swift.endpoint,
      region: swift.region,
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
      forcePathStyle: true,
      prefix: '',
    });
    for (const op of [
      () => missing.put('a/b.jpg', Buffer.from('x'), { contentType: 'image/jpeg' }),
      () => missing.get('a/b.jpg'),
      async () => {
        for await (const _ of missing.list('a/')) break;
      },
    ]) {
      const err = await op().catch((e) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('storage_unavailable');
    }
    missing.client.destroy();
    const nowhere = new S3BlobStore({
      bucket: BUCKET,
      endpoint: `http://127.0.0.1:${await freePort()}`,
      region: swift.region,
      credentials: { accessKeyId: swift.accessKeyId, secretAccessKey: swift.secretAccessKey },
      forcePathStyle: true,
      prefix: '',
    });
    const err = await nowhere.put('a/b.jpg', Buffer.from('x'), { contentType: 'image/jpeg' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('storage_unavailable');
    nowhere.client.destroy();
  });
});
