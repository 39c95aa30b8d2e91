import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse, type SseClient } from '../../bench/lib/sse';
import { makeTempDir } from '../support/env';
import {
  boothAuth,
  createSession,
  getJson,
  noisyJpeg,
  type RunningServer,
  startCluster,
  type UploadAnswer,
  upload,
} from './support';

/**
 * Event load on the production server (two workers): 40 guests across 10 upload sessions, each
 * guest sending 3–5 photos at once, two booths watching every session over SSE.
 */

const SESSIONS = 10;
const GUESTS = 40;
const MAX_PHOTOS = 5;

describe.each([{ workers: 2 }, { workers: 1 }])(
  'event load (node server.mjs, $workers worker(s))',
  ({ workers }) => {
    let server: RunningServer;
    let dataDir: string;
    const streams: SseClient[] = [];

    beforeAll(async () => {
      dataDir = makeTempDir('pb-load-');
      server = await startCluster(dataDir, {}, workers);
    }, 300_000);

    afterAll(async () => {
      for (const s of streams) s.close();
      await server?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('40 guests × 3–5 photos into 10 sessions, 2 booths each: no 5xx, limits hold, every photo served, every booth in step', async () => {
      const base = server.url;
      const sessions: string[] = [];
      for (let i = 0; i < SESSIONS; i++) sessions.push(await createSession(base));
      const booths = new Map<string, SseClient[]>();
      for (const id of sessions) {
        const pair: SseClient[] = [];
        for (let b = 0; b < 2; b++) {
          const c = await openSse(`${base}/api/session/${id}/events`, { headers: boothAuth });
          await c.waitFor((e) => e.event === 'session' && e.data.photo_count === 0);
          pair.push(c);
          streams.push(c);
        }
        booths.set(id, pair);
      }
      const photos = await Promise.all(Array.from({ length: 6 }, (_, i) => noisyJpeg(i + 1, 640, 480)));

      // Every guest sends all of their photos at the same moment.
      const attempts: { sessionId: string; answer: Promise<UploadAnswer> }[] = [];
      for (let g = 0; g < GUESTS; g++) {
        const sessionId = sessions[g % SESSIONS] as string;
        const count = 3 + (g % 3);
        for (let p = 0; p < count; p++) {
          attempts.push({
            sessionId,
            answer: upload(base, sessionId, photos[(g + p) % photos.length] as Buffer),
          });
        }
      }
      const answers = await Promise.all(
        attempts.map(async (a) => ({ sessionId: a.sessionId, ...(await a.answer) })),
      );

      // No server error at all; every refusal is the documented limit.
      expect(answers.filter((a) => a.status >= 500)).toEqual([]);
      for (const a of answers.filter((x) => x.status !== 201)) {
        expect(a.status).toBe(409);
        expect(a.json.error.code).toBe('photo_limit_reached');
      }
      // The limit held exactly: each session took 5 (every session was offered at least 12).
      for (const id of sessions) {
        const ok = answers.filter((a) => a.sessionId === id && a.status === 201);
        expect(ok.length).toBe(MAX_PHOTOS);
        expect(ok.map((a) => a.json.photo.order_index).sort()).toEqual([0, 1, 2, 3, 4]);
      }

      // Every acknowledged photo is served whole, with the hash of what was stored.
      for (const a of answers.filter((x) => x.status === 201)) {
        const r = await fetch(`${base}${a.json.photo.url}`);
        expect(r.status).toBe(200);
        const body = Buffer.from(await r.arrayBuffer());
        expect(body.length).toBe(a.json.photo.bytes);
        const sha = createHash('sha256').update(body).digest('hex');
        expect(r.headers.get('etag')).toBe(`"${sha.slice(0, 32)}"`);
        const thumb = await fetch(`${base}${a.json.photo.thumb_url}`);
        expect(thumb.status).toBe(200);
        await thumb.arrayBuffer();
      }
      for (const id of sessions) {
        const { status, json } = await getJson(`${base}/api/session/${id}/photos`);
        expect(status).toBe(200);
        expect(json.photos.map((p: { order_index: number }) => p.order_index)).toEqual([0, 1, 2, 3, 4]);
      }

      // Every booth stream reaches the final state, never goes back, and sees every count on the
      // way, whichever worker each upload landed in (streams send each logged version in order).
      for (const id of sessions) {
        for (const booth of booths.get(id) as SseClient[]) {
          await booth.waitFor((e) => e.event === 'session' && e.data.photo_count === MAX_PHOTOS, 15_000);
          const counts = booth.events
            .filter((e) => e.event === 'session')
            .map((e) => e.data.photo_count as number);
          for (let i = 1; i < counts.length; i++)
            expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1] as number);
          const last = booth.events.filter((e) => e.event === 'session').at(-1)?.data;
          expect(last).toMatchObject({ id, photo_count: MAX_PHOTOS, status: 'ready' });
          const distinct = new Set(counts);
          expect([...distinct].sort()).toEqual([0, 1, 2, 3, 4, 5]);
        }
      }
      console.log(
        `[event-load, ${workers} worker(s)] ${answers.length} uploads, ${answers.filter((a) => a.status === 201).length} stored`,
      );
    }, 180_000);
  },
);
