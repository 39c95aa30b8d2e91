import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/env';
import { photoForm } from '../support/http';
import { auth, startServer, type TestServer } from '../support/server';

/**
 * "Nothing acknowledged is lost": SIGKILL the production server while uploads are in flight,
 * restart it on the same data directory, and check every photo that was answered 201.
 */

const dataDir = makeTempDir('pb-crash-');
let server: TestServer | undefined;

afterAll(async () => {
  await server?.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function noisyJpeg(seed: number): Promise<Buffer> {
  // Noise makes a realistic ~1 MB photo that takes real work to decode and re-encode.
  const w = 1600;
  const h = 1200;
  const raw = Buffer.alloc(w * h * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < raw.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    raw[i] = x >>> 24;
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

interface Acked {
  sessionId: string;
  id: string;
  bytes: number;
  orderIndex: number;
}

describe('crash safety', () => {
  it('every 201-acknowledged photo survives SIGKILL mid-upload; nothing half-stored remains', async () => {
    server = await startServer(dataDir);
    const base = server.url;
    const sessions: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${base}/api/session/create`, {
        method: 'POST',
        headers: { ...auth('booth'), 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'upload' }),
      });
      sessions.push((await r.json()).session.id);
    }
    const photos = await Promise.all(Array.from({ length: 6 }, (_, i) => noisyJpeg(i + 1)));
    const acked: Acked[] = [];
    let failures = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop && n < 40; n++) {
        const sessionId = sessions[(w + n) % sessions.length] as string;
        try {
          const r = await fetch(`${base}/api/session/${sessionId}/photos`, {
            method: 'POST',
            body: photoForm(photos[(w + n) % photos.length] as Buffer),
          });
          if (r.status === 201) {
            const j = await r.json();
            acked.push({ sessionId, id: j.photo.id, bytes: j.photo.bytes, orderIndex: j.photo.order_index });
          }
        } catch {
          failures++; // the server died under this request: it was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    // Kill once a good number of photos are acknowledged, while others are mid-flight.
    const deadline = Date.now() + 60_000;
    while (acked.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    expect(acked.length).toBeGreaterThanOrEqual(10);
    expect(failures).toBeGreaterThan(0); // the kill really hit uploads in flight

    server = await startServer(dataDir);
    // Every acknowledged photo is served, whole.
    for (const a of acked) {
      const r = await fetch(`${server.url}/api/session/${a.sessionId}/photos/${a.id}`);
      expect(r.status).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).length).toBe(a.bytes);
    }
    const db = new Database(path.join(dataDir, 'photobooth.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db
        .prepare(
          'select id, session_id, photo_type, order_index, bytes, sha256, storage_key from session_photos',
        )
        .all() as {
        id: string;
        session_id: string;
        order_index: number;
        bytes: number;
        sha256: string;
        storage_key: string;
      }[];
      // Acknowledged photos are all in the database with the index they were given.
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const a of acked) expect(byId.get(a.id)?.order_index).toBe(a.orderIndex);
      // Each row's file is byte-identical to what was stored (sha256), and no session exceeds the limit.
      for (const row of rows) {
        const file = path.join(dataDir, 'photos', `${row.storage_key}.jpg`);
        const data = fs.readFileSync(file);
        expect(data.length).toBe(row.bytes);
        expect(createHash('sha256').update(data).digest('hex')).toBe(row.sha256);
      }
      const perSession = db
        .prepare(
          "select session_id, count(*) n, count(distinct order_index) d from session_photos where photo_type = 'uploaded' group by session_id",
        )
        .all() as { n: number; d: number }[];
      for (const s of perSession) {
        expect(s.n).toBeLessThanOrEqual(5);
        expect(s.d).toBe(s.n);
      }
      // The API's counts agree with the rows.
      for (const id of sessions) {
        const r = await (await fetch(`${server.url}/api/session/${id}`)).json();
        expect(r.session.photo_count).toBe(rows.filter((p) => p.session_id === id).length);
      }
      // No orphan or temporary files after the start-up sweep.
      const keys = new Set(rows.map((r) => r.storage_key));
      for (const sid of fs.readdirSync(path.join(dataDir, 'photos'))) {
        for (const name of fs.readdirSync(path.join(dataDir, 'photos', sid))) {
          expect(keys.has(`${sid}/${name.replace(/(\.thumb)?\.jpg$/, '')}`)).toBe(true);
        }
      }
      expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
    } finally {
      db.close();
    }
  }, 180_000);
});
