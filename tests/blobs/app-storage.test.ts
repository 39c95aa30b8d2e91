import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as frameRoute from '@/app/api/events/[id]/frame/route';
import * as hostLink from '@/app/api/events/[id]/host-link/route';
import * as eventRoute from '@/app/api/events/[id]/route';
import * as eventsRoute from '@/app/api/events/route';
import * as galleryZip from '@/app/api/gallery/[token]/zip/route';
import * as pictureImage from '@/app/api/pictures/[token]/image/route';
import * as compose from '@/app/api/session/[id]/compose/route';
import * as photo from '@/app/api/session/[id]/photos/[photoId]/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as create from '@/app/api/session/create/route';
import { closeDbForTests } from '@/db';
import { resetLoginRateForTests, resetTokensForTests } from '@/lib/auth';
import { DiskBlobStore, S3BlobStore } from '@/lib/blobs';
import { blobStore } from '@/lib/blobs/index';
import { stopSweeper, sweepOrphans } from '@/lib/cleanup';
import { resetConfigForTests } from '@/lib/config';
import { ApiError } from '@/lib/errors';
import {
  frameExists,
  listFrameFiles,
  listPhotoFiles,
  listPictureFiles,
  openPhoto,
  openPicture,
  readFrameBuffer,
  readPhotoBuffer,
  removeEventFrames,
  removeEventPictures,
  removeFrameFile,
  removePhotoFiles,
  removePictureFiles,
  removeSessionDir,
  storeFrameFile,
  storePhotoFiles,
  storePictureFiles,
} from '@/lib/storage';
import { noiseJpeg } from '../../bench/lib/images';
import { ADMIN_TOKEN, BOOTH_TOKEN, makeTempDir } from '../support/env';
import { call, photoForm } from '../support/http';
import { createBucket, type RunningSwift, startSwift, swiftClient } from '../support/swift';

/**
 * lib/storage.ts, the app's one way to the bytes of photos, thumbnails, pictures and frames, on
 * both blob stores: files in DATA_DIR (today's layout, so a booth laptop's data directory keeps
 * working) and an S3 bucket on a real OpenStack Swift (S3_BUCKET set: nothing but temporary files
 * on the instance's disk). Then the API itself with S3_BUCKET: a 201 photo is in the bucket and
 * served byte-identical through its capability-checked route, with the ETag and 304 of today.
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function bufferOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

let big: Buffer; // a real 3000×2000 camera-noise JPEG, about 4 MB
let small: Buffer;
let frame: Buffer;
let swift: RunningSwift;
let admin: S3Client;

beforeAll(async () => {
  big = await noiseJpeg();
  small = await sharp(big).resize(400).jpeg().toBuffer();
  frame = await sharp({
    create: { width: 300, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .png()
    .toBuffer();
  swift = await startSwift();
  admin = swiftClient(swift);
}, 120_000);

afterAll(async () => {
  admin?.destroy();
  const store = blobStore();
  if (store instanceof S3BlobStore) store.client.destroy();
  await swift?.stop();
});

/** Points the app at a fresh DATA_DIR and these variables for one describe block. */
function useEnv(env: () => Promise<Record<string, string>>): { dataDir: () => string } {
  let dir = '';
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    dir = makeTempDir('pb-app-storage-');
    const all = {
      DATA_DIR: dir,
      BOOTH_TOKEN,
      ADMIN_TOKEN,
      PUBLIC_URL: 'http://booth.test',
      ...(await env()),
    };
    for (const [k, v] of Object.entries(all)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    resetConfigForTests();
    resetTokensForTests();
    await resetLoginRateForTests();
    closeDbForTests();
  });
  afterAll(() => {
    stopSweeper();
    closeDbForTests();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfigForTests();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dataDir: () => dir };
}

let buckets = 0;
/** The variables of a fresh bucket on the Swift (made now), with a prefix. */
async function newBucket(): Promise<{ bucket: string; prefix: string; env: Record<string, string> }> {
  const bucket = `pb-app-${++buckets}`;
  await createBucket(admin, bucket);
  const prefix = 'deploy-a/';
  return {
    bucket,
    prefix,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: swift.endpoint,
      S3_REGION: swift.region,
      S3_ACCESS_KEY_ID: swift.accessKeyId,
      S3_SECRET_ACCESS_KEY: swift.secretAccessKey,
      S3_FORCE_PATH_STYLE: '1',
      S3_PREFIX: prefix,
    },
  };
}

async function objectKeys(bucket: string): Promise<string[]> {
  const res = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((o) => o.Key as string).sort();
}

async function objectBytes(bucket: string, key: string): Promise<Buffer> {
  const res = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return bufferOf(res.Body as Readable);
}

interface Mode {
  name: string;
  /** Where a blob key's bytes are, read around the app: the file in DATA_DIR or the bucket's object. */
  rawBytes(key: string): Promise<Buffer | null>;
  /** Every key the store holds, read around the app. */
  rawKeys(): Promise<string[]>;
  /** Makes writes fail until the returned function is called. */
  breakWrites(sessionId: string): Promise<() => Promise<void>>;
  leftovers(): Promise<number>;
}

function walk(dir: string, base = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name), `${base}${e.name}/`) : [`${base}${e.name}`],
    );
}

const BYTE_DIRS = ['photos', 'pictures', 'frames'];

describe.each(['disk', 'S3 on OpenStack Swift'] as const)('the app storage on %s', (name) => {
  let s3: Awaited<ReturnType<typeof newBucket>> | null = null;
  const env = useEnv(async () => {
    if (name !== 'disk') s3 = await newBucket();
    return s3?.env ?? {};
  });
  const mode = (): Mode => {
    const dataDir = env.dataDir();
    return name === 'disk'
      ? {
          name,
          async rawBytes(key) {
            const file = path.join(dataDir, key);
            return fs.existsSync(file) ? fs.readFileSync(file) : null;
          },
          async rawKeys() {
            return BYTE_DIRS.flatMap((d) => walk(path.join(dataDir, d), `${d}/`)).sort();
          },
          async breakWrites(sessionId) {
            // Running as root, permissions do not stop a write: a folder that is a regular file does.
            const dir = path.join(dataDir, 'photos', sessionId);
            fs.mkdirSync(path.dirname(dir), { recursive: true });
            fs.writeFileSync(dir, 'not a folder');
            return async () => fs.rmSync(dir, { force: true });
          },
          async leftovers() {
            const tmp = path.join(dataDir, 'tmp');
            return fs.existsSync(tmp) ? fs.readdirSync(tmp).length : 0;
          },
        }
      : {
          name,
          async rawBytes(key) {
            const { bucket, prefix } = s3 as NonNullable<typeof s3>;
            return objectBytes(bucket, `${prefix}${key}`).catch(() => null);
          },
          async rawKeys() {
            const { bucket, prefix } = s3 as NonNullable<typeof s3>;
            return (await objectKeys(bucket)).map((k) => k.slice(prefix.length));
          },
          async breakWrites() {
            await swift.refuseWrites();
            return () => swift.acceptWrites();
          },
          async leftovers() {
            const res = await admin.send(new ListMultipartUploadsCommand({ Bucket: s3?.bucket }));
            return res.Uploads?.length ?? 0;
          },
        };
  };

  it('uses the store the configuration asks for', async () => {
    if (name === 'disk') {
      expect(blobStore()).toBeInstanceOf(DiskBlobStore);
      expect((blobStore() as DiskBlobStore).root).toBe(path.resolve(env.dataDir()));
    } else {
      expect(blobStore()).toBeInstanceOf(S3BlobStore);
      expect((blobStore() as S3BlobStore).bucket).toBe(s3?.bucket);
    }
  });

  it("stores a photo's two variants and reads them back byte-identical, whole and in ranges", async () => {
    const sessionId = randomUUID();
    const storageKey = `${sessionId}/${randomUUID()}`;
    await storePhotoFiles(storageKey, big, small);
    // Today's layout under DATA_DIR (disk), the same keys under S3_PREFIX (bucket).
    expect(sha((await mode().rawBytes(`photos/${storageKey}.jpg`)) as Buffer)).toBe(sha(big));
    expect(sha((await mode().rawBytes(`photos/${storageKey}.thumb.jpg`)) as Buffer)).toBe(sha(small));

    const full = await openPhoto(storageKey, 'full');
    expect(full?.bytes).toBe(big.length);
    expect(sha(await bufferOf(full?.body as Readable))).toBe(sha(big));
    expect(sha(await readPhotoBuffer(storageKey, 'thumb'))).toBe(sha(small));

    const part = await openPhoto(storageKey, 'full', { start: 1_000_000, end: 1_999_999 });
    expect(part).toMatchObject({ bytes: 1_000_000, totalBytes: big.length });
    expect((await bufferOf(part?.body as Readable)).equals(big.subarray(1_000_000, 2_000_000))).toBe(true);
    const tail = await openPhoto(storageKey, 'full', { start: big.length - 10 });
    expect((await bufferOf(tail?.body as Readable)).equals(big.subarray(big.length - 10))).toBe(true);

    expect(await removePhotoFiles(storageKey)).toBe(big.length + small.length);
    expect(await openPhoto(storageKey, 'full')).toBeNull();
    expect(await openPhoto(storageKey, 'thumb')).toBeNull();
    await expect(readPhotoBuffer(storageKey, 'full')).rejects.toThrow(/missing/);
    expect(await removePhotoFiles(storageKey)).toBe(0);
  }, 60_000);

  it("removes a session's photos and no other session's; lists photos, pictures and frames with their keys", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const [p1, p2, p3] = [randomUUID(), randomUUID(), randomUUID()];
    await storePhotoFiles(`${a}/${p1}`, small, small);
    await storePhotoFiles(`${a}/${p2}`, small, small);
    await storePhotoFiles(`${b}/${p3}`, small, small);
    const event = randomUUID();
    const pictureKey = `${event}/${randomUUID()}`;
    await storePictureFiles(pictureKey, big, small);
    const frameKey = await storeFrameFile(event, frame);

    const listed = await listPhotoFiles();
    expect(listed.filter((f) => f.sessionId === a).map((f) => f.storageKey)).toEqual(
      [`${a}/${p1}`, `${a}/${p1}`, `${a}/${p2}`, `${a}/${p2}`].sort(),
    );
    const mine = listed.find((f) => f.key === `photos/${b}/${p3}.jpg`);
    expect(mine).toMatchObject({ storageKey: `${b}/${p3}`, sessionId: b, size: small.length });
    expect(Date.now() - (mine?.mtimeMs ?? 0)).toBeLessThan(60_000);
    expect((await listPictureFiles()).map((f) => [f.key, f.storageKey, f.size])).toEqual([
      [`pictures/${pictureKey}.jpg`, pictureKey, big.length],
      [`pictures/${pictureKey}.thumb.jpg`, pictureKey, small.length],
    ]);
    expect((await listFrameFiles()).map((f) => [f.key, f.frameKey, f.size])).toEqual([
      [`frames/${frameKey}.png`, frameKey, frame.length],
    ]);

    expect(await removeSessionDir(a)).toBe(4 * small.length);
    expect((await mode().rawKeys()).filter((k) => k.startsWith('photos/'))).toEqual(
      [`photos/${b}/${p3}.jpg`, `photos/${b}/${p3}.thumb.jpg`].sort(),
    );
    if (name === 'disk') expect(fs.existsSync(path.join(env.dataDir(), 'photos', a))).toBe(false);
    expect(await removeSessionDir(a)).toBe(0);
    expect(await removeSessionDir(b)).toBe(2 * small.length);

    // Pictures and frames: read back, removed one by one or by event.
    expect(sha(await bufferOf((await openPicture(pictureKey, 'full'))?.body as Readable))).toBe(sha(big));
    expect(sha(await readFrameBuffer(frameKey))).toBe(sha(frame));
    expect(await frameExists(frameKey)).toBe(true);
    await removeFrameFile(frameKey);
    expect(await frameExists(frameKey)).toBe(false);
    const second = await storeFrameFile(event, frame);
    expect(second).not.toBe(frameKey);
    await removeEventFrames(event);
    expect(await frameExists(second)).toBe(false);
    expect(await removePictureFiles(pictureKey)).toBe(big.length + small.length);
    await storePictureFiles(pictureKey, small, small);
    await removeEventPictures(event);
    expect(await openPicture(pictureKey, 'thumb')).toBeNull();
    expect(await mode().rawKeys()).toEqual([]);
  }, 60_000);

  it('the orphan sweep removes blobs no row points to, once past their grace period', async () => {
    const orphan = `${randomUUID()}/${randomUUID()}`;
    await storePhotoFiles(orphan, small, small);
    const pictureOrphan = `${randomUUID()}/${randomUUID()}`;
    await storePictureFiles(pictureOrphan, small, small);
    const frameOrphan = await storeFrameFile(randomUUID(), frame);
    // Fresh: may belong to an upload between its write and its commit.
    expect(await sweepOrphans()).toEqual({ files: 0, bytes: 0 });
    expect((await mode().rawKeys()).length).toBe(5);
    expect(await sweepOrphans({ all: true })).toEqual({ files: 5, bytes: 4 * small.length + frame.length });
    expect(await mode().rawKeys()).toEqual([]);
    expect(await frameExists(frameOrphan)).toBe(false);
  }, 60_000);

  it('a store that cannot write: 507 storage_unavailable and nothing is left; then it stores again', async () => {
    const sessionId = randomUUID();
    const storageKey = `${sessionId}/${randomUUID()}`;
    const restore = await mode().breakWrites(sessionId);
    let err: unknown;
    try {
      err = await storePhotoFiles(storageKey, big, small).catch((e) => e);
    } finally {
      await restore();
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('storage_unavailable');
    expect((err as ApiError).status).toBe(507);
    expect(await mode().rawKeys()).toEqual([]);
    expect(await mode().leftovers()).toBe(0);
    await storePhotoFiles(storageKey, big, small);
    expect(sha(await readPhotoBuffer(storageKey, 'full'))).toBe(sha(big));
    await removeSessionDir(sessionId);
  }, 90_000);

  if (name === 'S3 on OpenStack Swift') {
    it('with S3_BUCKET nothing of the bytes is on the instance disk', async () => {
      for (const d of BYTE_DIRS) expect(fs.existsSync(path.join(env.dataDir(), d))).toBe(false);
    });
  }
});

describe('the API with S3_BUCKET (SQLite for the rows)', () => {
  let s3: Awaited<ReturnType<typeof newBucket>>;
  const env = useEnv(async () => {
    s3 = await newBucket();
    return s3.env;
  });

  async function newSession(): Promise<string> {
    const r = await call(create.POST, { path: '/api/session/create', as: 'booth', json: { type: 'upload' } });
    expect(r.status).toBe(201);
    return r.json.session.id as string;
  }
  const upload = (id: string, file: Buffer) =>
    call(photos.POST, { path: `/api/session/${id}/photos`, params: { id }, body: photoForm(file) });
  const getPhoto = (id: string, photoId: string, headers: Record<string, string> = {}, variant = '') =>
    call(photo.GET, {
      path: `/api/session/${id}/photos/${photoId}${variant ? `?variant=${variant}` : ''}`,
      params: { id, photoId },
      headers,
    });

  it('a 201 photo is in the bucket, served byte-identical with its ETag and 304; deleting it removes it', async () => {
    const id = await newSession();
    const r = await upload(id, big);
    expect(r.status).toBe(201);
    const photoId = r.json.photo.id as string;
    const key = `${s3.prefix}photos/${id}/${photoId}.jpg`;
    expect(await objectKeys(s3.bucket)).toEqual(
      [key, `${s3.prefix}photos/${id}/${photoId}.thumb.jpg`].sort(),
    );
    const stored = await objectBytes(s3.bucket, key);
    expect(stored.length).toBe(r.json.photo.bytes);

    const got = await getPhoto(id, photoId);
    expect(got.status).toBe(200);
    expect(got.body.equals(stored)).toBe(true);
    expect(got.headers.get('content-length')).toBe(String(stored.length));
    expect(got.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const etag = got.headers.get('etag') as string;
    expect(etag).toBe(`"${sha(stored).slice(0, 32)}"`);
    const cached = await getPhoto(id, photoId, { 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    const thumb = await getPhoto(id, photoId, {}, 'thumb');
    expect(thumb.status).toBe(200);
    expect(
      thumb.body.equals(await objectBytes(s3.bucket, `${s3.prefix}photos/${id}/${photoId}.thumb.jpg`)),
    ).toBe(true);

    // Nothing but the database (and an empty tmp/) on the instance's disk.
    for (const d of BYTE_DIRS) expect(fs.existsSync(path.join(env.dataDir(), d))).toBe(false);
    expect(walk(path.join(env.dataDir(), 'tmp'))).toEqual([]);

    const del = await call(photo.DELETE, {
      method: 'DELETE',
      path: `/api/session/${id}/photos/${photoId}`,
      params: { id, photoId },
      as: 'booth',
    });
    expect(del.status).toBe(204);
    expect(await objectKeys(s3.bucket)).toEqual([]);
    expect((await getPhoto(id, photoId)).status).toBe(404);
  }, 60_000);

  it('compose reads the photos from the bucket and stores the result there', async () => {
    const id = await newSession();
    for (const hue of [10, 120]) {
      const img = await sharp({
        create: { width: 1200, height: 900, channels: 3, background: { r: hue, g: 80, b: 200 } },
      })
        .jpeg()
        .toBuffer();
      expect((await upload(id, img)).status).toBe(201);
    }
    const c = await call(compose.POST, {
      path: `/api/session/${id}/compose`,
      params: { id },
      as: 'booth',
      json: { layout: 'strip' },
    });
    expect(c.status).toBe(201);
    const resultId = c.json.photo.id as string;
    const res = await call(result.GET, { path: `/api/session/${id}/result`, params: { id }, as: 'booth' });
    expect(res.status).toBe(200);
    expect(res.body.equals(await objectBytes(s3.bucket, `${s3.prefix}photos/${id}/${resultId}.jpg`))).toBe(
      true,
    );
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const meta = await sharp(res.body).metadata();
    expect(meta.format).toBe('jpeg');
  }, 60_000);

  it("an event's frame and kept pictures live in the bucket too; deleting the event removes every object of it", async () => {
    const ev = await call(eventsRoute.POST, {
      path: '/api/events',
      as: 'admin',
      json: { name: 'Bucket party', retention_days: 3, print_qr: false, caption: null },
    });
    expect(ev.status).toBe(201);
    const eventId = ev.json.event.id as string;
    // An opaque purple border 80 px wide, transparent inside.
    const border = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="1800" height="1200"><rect x="40" y="40" width="1720" height="1120" fill="none" stroke="#7c3aed" stroke-width="80"/></svg>',
      ),
    )
      .png()
      .toBuffer();
    const fr = await call(frameRoute.PUT, {
      method: 'PUT',
      path: `/api/events/${eventId}/frame`,
      params: { id: eventId },
      as: 'admin',
      body: photoForm(border, 'frame.png', 'image/png', 'frame'),
    });
    expect(fr.status).toBe(200);
    const frameKeys = (await objectKeys(s3.bucket)).filter((k) =>
      k.startsWith(`${s3.prefix}frames/${eventId}/`),
    );
    expect(frameKeys).toHaveLength(1);
    expect(frameKeys[0]).toMatch(/\.png$/);

    const sr = await call(create.POST, {
      path: '/api/session/create',
      as: 'booth',
      json: { type: 'upload', event_id: eventId },
    });
    const id = sr.json.session.id as string;
    const green = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#16a34a' } })
      .jpeg()
      .toBuffer();
    expect((await upload(id, green)).status).toBe(201);
    const c = await call(compose.POST, {
      path: `/api/session/${id}/compose`,
      params: { id },
      as: 'booth',
      json: { layout: 'single' },
    });
    expect(c.status).toBe(201);
    const token = /\/p\/([A-Za-z0-9_-]{32})$/.exec(c.json.session.picture_url as string)?.[1] as string;
    const pictureKeys = (await objectKeys(s3.bucket)).filter((k) =>
      k.startsWith(`${s3.prefix}pictures/${eventId}/`),
    );
    expect(pictureKeys).toHaveLength(2);
    const full = pictureKeys.find((k) => !k.endsWith('.thumb.jpg')) as string;

    const img = await call(pictureImage.GET, { path: `/api/pictures/${token}/image`, params: { token } });
    expect(img.status).toBe(200);
    expect(img.body.equals(await objectBytes(s3.bucket, full))).toBe(true);
    const etag = img.headers.get('etag') as string;
    const again = await call(pictureImage.GET, {
      path: `/api/pictures/${token}/image`,
      params: { token },
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    // The frame read from the bucket is drawn: the picture's corner is its purple, its middle the photo's green.
    const { data, info } = await sharp(img.body).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) =>
      [0, 1, 2].map((c) => data[(y * info.width + x) * info.channels + c] as number);
    const near = (px: number[], rgb: number[]) => px.every((v, i) => Math.abs(v - (rgb[i] as number)) < 30);
    expect(near(at(10, 10), [0x7c, 0x3a, 0xed])).toBe(true);
    expect(near(at(Math.floor(info.width / 2), Math.floor(info.height / 3)), [0x16, 0xa3, 0x4a])).toBe(true);

    // The gallery's "download all" streams the picture from the bucket into the ZIP.
    const link = await call(hostLink.GET, {
      path: `/api/events/${eventId}/host-link`,
      params: { id: eventId },
      as: 'admin',
    });
    const galleryToken = link.json.token as string;
    const zip = await call(galleryZip.GET, {
      path: `/api/gallery/${galleryToken}/zip`,
      params: { token: galleryToken },
    });
    expect(zip.status).toBe(200);
    const zipDir = makeTempDir('pb-app-storage-zip-');
    try {
      fs.writeFileSync(path.join(zipDir, 'all.zip'), zip.body);
      execFileSync('unzip', ['-q', path.join(zipDir, 'all.zip'), '-d', path.join(zipDir, 'x')]);
      const entries = fs.readdirSync(path.join(zipDir, 'x'));
      expect(entries).toHaveLength(1);
      expect(fs.readFileSync(path.join(zipDir, 'x', entries[0] as string)).equals(img.body)).toBe(true);
    } finally {
      fs.rmSync(zipDir, { recursive: true, force: true });
    }

    const del = await call(eventRoute.DELETE, {
      method: 'DELETE',
      path: `/api/events/${eventId}`,
      params: { id: eventId },
      as: 'admin',
    });
    expect(del.status).toBe(204);
    const left = await objectKeys(s3.bucket);
    expect(left.filter((k) => k.includes(eventId) || k.includes(id))).toEqual([]);
  }, 90_000);

  it('the bucket refusing writes: the upload is 507 storage_unavailable, no photo counted, nothing in the bucket', async () => {
    const id = await newSession();
    const before = await objectKeys(s3.bucket);
    await swift.refuseWrites();
    let r: Awaited<ReturnType<typeof upload>>;
    try {
      r = await upload(id, big);
    } finally {
      await swift.acceptWrites();
    }
    expect(r.status).toBe(507);
    expect(r.json.error.code).toBe('storage_unavailable');
    expect(await objectKeys(s3.bucket)).toEqual(before);
    const s = await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } });
    expect(s.json.session.photo_count).toBe(0);
    expect(walk(path.join(env.dataDir(), 'tmp'))).toEqual([]);
    expect((await upload(id, big)).status).toBe(201);
  }, 90_000);
});
