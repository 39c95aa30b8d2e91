/**
 * The live gallery across instances (lib/pg-bus.ts + lib/gallery-stream.ts pokeGallery): with the
 * process bus running, the periodic poll is only a slow safety net, and a gallery NOTIFY from
 * another instance makes the stream here tell a new picture at once; after PostgreSQL restarts,
 * every watched gallery is polled again, so a picture removed meanwhile is told too.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as hostLink from '@/app/api/events/[id]/host-link/route';
import * as eventsRoute from '@/app/api/events/route';
import * as galleryEvents from '@/app/api/gallery/[token]/events/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as create from '@/app/api/session/create/route';
import { getDb } from '@/db';
import { pictures } from '@/db/schema';
import { HEARTBEAT_MS, setGalleryPollMs } from '@/lib/gallery-stream';
import { createPgBus, type PgBus, publishGalleryChange, startPgBus, stopPgBus } from '@/lib/pg-bus';
import { useTestEnv } from '../support/env';
import { buildRequest, call, photoForm } from '../support/http';
import * as img from '../support/images';
import { type RunningPostgres, startPostgres } from '../support/postgres';

useTestEnv();

let pg: RunningPostgres;
let other: PgBus | undefined;
const heardByOther: (string | undefined)[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  await startPgBus(pg.url);
  // The safety net as slow as it goes (one tick per heartbeat): what comes sooner came by a poke.
  setGalleryPollMs(HEARTBEAT_MS);
  other = await createPgBus(
    pg.url,
    { deliver: () => {}, gallery: (id) => heardByOther.push(id), resync: () => {} },
    { connectTimeoutS: 3 },
  );
});

afterAll(async () => {
  await other?.stop();
  await stopPgBus();
  await pg?.stop();
});

async function eventWith(name: string) {
  const r = await call(eventsRoute.POST, {
    path: '/api/events',
    as: 'admin',
    json: { name, retention_days: 7 },
  });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}

async function pictureOf(eventId: string, seed: number) {
  const s = await call(create.POST, {
    path: '/api/session/create',
    as: 'booth',
    json: { type: 'download', event_id: eventId },
  });
  expect(s.status).toBe(201);
  const id = s.json.session.id;
  const r = await call(result.POST, {
    path: `/api/session/${id}/result`,
    params: { id },
    as: 'booth',
    body: photoForm(await img.jpeg(400, 300, seed)),
  });
  expect(r.status).toBe(201);
  return r.json.session.picture_url as string;
}

async function openStream(eventId: string) {
  const token = (
    await call(hostLink.GET, {
      path: `/api/events/${eventId}/host-link`,
      params: { id: eventId },
      as: 'admin',
    })
  ).json.token as string;
  const abort = new AbortController();
  const res = await galleryEvents.GET(
    buildRequest({ path: `/api/gallery/${token}/events`, signal: abort.signal }),
    {
      params: Promise.resolve({ token }),
    },
  );
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  /** The first match of `re` in what came, waiting at most `ms`; throws when it never came. */
  const until = async (re: RegExp, ms: number) => {
    const deadline = Date.now() + ms;
    while (!re.test(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${re} within ${ms} ms in ${JSON.stringify(text)}`);
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), left)),
      ]);
      if (chunk?.value) text += new TextDecoder().decode(chunk.value);
    }
    return re.exec(text);
  };
  return {
    until,
    text: () => text,
    close: async () => {
      abort.abort();
      await reader.cancel().catch(() => {});
    },
  };
}

describe('the live gallery in hosted mode', () => {
  it('tells a picture at once when another instance says so, and after a reconnect what went meanwhile', async () => {
    const event = await eventWith('Hosted live');
    const stream = await openStream(event.id);
    try {
      await stream.until(/retry: /, 5000);

      // Made "on another instance" (this process's stream is not told: nothing calls it yet).
      const url = await pictureOf(event.id, 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(stream.text()).not.toMatch(/event: picture/);
      const t0 = Date.now();
      await other?.publishGallery(event.id);
      const m = await stream.until(/event: picture\ndata: (.*)\n\n/, 3000);
      expect(Date.now() - t0).toBeLessThan(3000);
      const picture = JSON.parse(m?.[1] ?? '{}');
      expect(picture.url).toBe(url);

      // Made here: publishGalleryChange pokes this process's streams and tells the other instance.
      const second = await pictureOf(event.id, 2);
      publishGalleryChange(event.id);
      const m2 = await stream.until(
        /event: picture\ndata: (.*)\n\n(?:.|\n)*event: picture\ndata: (.*)\n\n/,
        3000,
      );
      expect(JSON.parse(m2?.[2] ?? '{}').url).toBe(second);
      const deadline = Date.now() + 3000;
      while (!heardByOther.includes(event.id) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(heardByOther).toContain(event.id);

      // Removed behind everyone's back (no NOTIFY), then PostgreSQL restarts: the reconnect polls again.
      getDb().delete(pictures).where(eq(pictures.id, picture.id)).run();
      await pg.restart();
      const gone = await stream.until(/event: removed\ndata: (.*)\n\n/, 8000);
      expect(JSON.parse(gone?.[1] ?? '{}')).toEqual({ id: picture.id });
    } finally {
      await stream.close();
    }
  });
});
