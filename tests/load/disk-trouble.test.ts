import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../../bench/lib/images';
import { makeTempDir } from '../support/env';
import {
  createSession,
  getJson,
  listFiles,
  noisyJpeg,
  type RunningServer,
  startCluster,
  upload,
} from './support';

/**
 * Disk trouble under the production server. Everything here runs as root, so chmod would not
 * stop a write: the folders the server writes to are replaced by regular files instead, which
 * makes every write below them fail (ENOTDIR), the way a vanished or remounted disk does.
 */

let server: RunningServer;
let dataDir: string;
let photo: Buffer;

beforeAll(async () => {
  dataDir = makeTempDir('pb-load-disk-');
  server = await startCluster(dataDir);
  photo = await noisyJpeg(7, 800, 600);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Replaces a folder with a regular file; returns a function that puts the folder back. */
function breakDir(dir: string): () => void {
  const aside = `${dir}.aside`;
  fs.renameSync(dir, aside);
  fs.writeFileSync(dir, 'not a folder');
  return () => {
    fs.rmSync(dir, { force: true });
    fs.renameSync(aside, dir);
  };
}

async function expectStorageUnavailable(a: { status: number; json: { error?: { code?: string } } }) {
  expect(a.status).toBe(507);
  expect(a.json.error?.code).toBe('storage_unavailable');
}

async function photoCount(id: string): Promise<number> {
  const { json } = await getJson(`${server.url}/api/session/${id}`);
  return json.session.photo_count;
}

describe('disk trouble (node server.mjs, 2 workers)', () => {
  it('the temporary folder is gone: 507 storage_unavailable, nothing stored, and it recovers', async () => {
    const id = await createSession(server.url);
    const restore = breakDir(path.join(dataDir, 'tmp'));
    try {
      // Both workers see it (uploads alternate between them).
      for (let i = 0; i < 4; i++) await expectStorageUnavailable(await upload(server.url, id, photo));
    } finally {
      restore();
    }
    expect(await photoCount(id)).toBe(0);
    expect(listFiles(path.join(dataDir, 'photos', id))).toEqual([]);
    const ok = await upload(server.url, id, photo);
    expect(ok.status).toBe(201);
    expect(ok.json.photo.order_index).toBe(0);
  });

  it("the session's photo folder cannot be written: 507, no half-stored photo, then 201", async () => {
    const id = await createSession(server.url);
    const first = await upload(server.url, id, photo);
    expect(first.status).toBe(201);
    const restore = breakDir(path.join(dataDir, 'photos', id));
    try {
      for (let i = 0; i < 4; i++) await expectStorageUnavailable(await upload(server.url, id, photo));
      // What was stored before is still listed; the failed ones took no slot.
      expect(await photoCount(id)).toBe(1);
    } finally {
      restore();
    }
    expect(listFiles(path.join(dataDir, 'photos', id)).sort()).toEqual(
      [`${first.json.photo.id}.jpg`, `${first.json.photo.id}.thumb.jpg`].sort(),
    );
    expect(listFiles(path.join(dataDir, 'tmp'))).toEqual([]);
    const ok = await upload(server.url, id, photo);
    expect(ok.status).toBe(201);
    expect(ok.json.photo.order_index).toBe(1);
  });

  it('the disk goes away while an upload is streaming in: 507 at the end, and the next upload works', async () => {
    const id = await createSession(server.url);
    const { body, contentType } = multipartBody(photo);
    const sock = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let response = '';
    sock.on('data', (d) => {
      response += d.toString('latin1');
    });
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    sock.write(
      `POST /api/session/${id}/photos HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    const half = Math.floor(body.length / 2);
    sock.write(body.subarray(0, half));
    // The body is half in: the upload's temporary file exists. Now the disk goes away.
    const tmp = path.join(dataDir, 'tmp');
    const deadline = Date.now() + 10_000;
    while (listFiles(tmp).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(listFiles(tmp).length).toBe(1);
    const restore = breakDir(tmp);
    try {
      sock.write(body.subarray(half));
      await ended;
    } finally {
      restore();
    }
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
    expect(status).toBe(507);
    expect(response).toContain('"storage_unavailable"');
    expect(await photoCount(id)).toBe(0);
    // No photo file was stored. (The upload's temporary file was in the folder that went away;
    // it is back with the folder now and the periodic sweep removes it once it is stale.)
    expect(listFiles(path.join(dataDir, 'photos', id))).toEqual([]);
    const ok = await upload(server.url, id, photo);
    expect(ok.status).toBe(201);
  });

  it('kept answering other requests throughout (no worker crashed)', async () => {
    expect(server.logs()).not.toMatch(/died|failed to start|uncaught/i);
    const { status } = await getJson(`${server.url}/api/health`);
    expect(status).toBe(200);
  });
});
