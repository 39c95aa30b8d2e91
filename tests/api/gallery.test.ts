import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as hostLink from '@/app/api/events/[id]/host-link/route';
import * as eventsRoute from '@/app/api/events/route';
import * as galleryEvents from '@/app/api/gallery/[token]/events/route';
import * as galleryPicture from '@/app/api/gallery/[token]/pictures/[id]/route';
import * as galleryRoute from '@/app/api/gallery/[token]/route';
import * as galleryZip from '@/app/api/gallery/[token]/zip/route';
import * as pictureRoute from '@/app/api/pictures/[token]/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as create from '@/app/api/session/create/route';
import { conn, run, t } from '@/db/connection';
import { findEventPicture, findPictureByToken, picturesOfEvent, updatePictureRow } from '@/db/queries';
import { loadGallery } from '@/lib/gallery';
import { galleryZipResponse } from '@/lib/gallery-zip';
import { pictureBlobKey } from '@/lib/storage';
import { dbRun } from '../support/db';
import { useTestEnv } from '../support/env';
import { buildRequest, call, photoForm, readResponse } from '../support/http';
import * as img from '../support/images';
import { readStoredBlob, storedBlobKeys } from '../support/storage';

/** The host gallery: the host link, its pages of pictures, the host's remove. */

useTestEnv();

const postEvent = (json: unknown) => call(eventsRoute.POST, { path: '/api/events', as: 'admin', json });
const getLink = (id: string, as: 'admin' | 'booth' | 'guest' = 'admin') =>
  call(hostLink.GET, { path: `/api/events/${id}/host-link`, params: { id }, as });
const rotate = (id: string) =>
  call(hostLink.POST, { method: 'POST', path: `/api/events/${id}/host-link`, params: { id }, as: 'admin' });
const gallery = (token: string, query = '') =>
  call(galleryRoute.GET, { path: `/api/gallery/${token}${query}`, params: { token } });
const removeIt = (token: string, id: string) =>
  call(galleryPicture.DELETE, {
    method: 'DELETE',
    path: `/api/gallery/${token}/pictures/${id}`,
    params: { token, id },
  });

async function eventWith(name: string, retention_days = 7) {
  const r = await postEvent({ name, retention_days });
  expect(r.status).toBe(201);
  return r.json.event as { id: string };
}

/** A picture of the event: a download session's result (a real JPEG). */
async function pictureOf(eventId: string, seed = 50) {
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
    body: photoForm(await img.jpeg(800, 600, seed)),
  });
  expect(r.status).toBe(201);
  return r.json.session.picture_url as string;
}

/** Every stored picture file (keys), in either mode's blob store. */
const pictureFiles = (): Promise<string[]> => storedBlobKeys('pictures/');

describe('host link', () => {
  it('is made lazily, stable, admin only; a rotate kills the old link at once', async () => {
    const event = await eventWith('Anna & Boris');
    expect((await getLink(event.id, 'guest')).status).toBe(401);
    expect((await getLink(event.id, 'booth')).status).toBe(403);

    const a = await getLink(event.id);
    expect(a.status).toBe(200);
    expect(a.json.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.json.url).toBe(`http://booth.test/g/${a.json.token}`);
    expect((await getLink(event.id)).json).toEqual(a.json);
    expect((await gallery(a.json.token)).status).toBe(200);

    const b = await rotate(event.id);
    expect(b.status).toBe(201);
    expect(b.json.token).not.toBe(a.json.token);
    const old = await gallery(a.json.token);
    expect(old.status).toBe(404);
    expect(old.json.error.code).toBe('gallery_not_found');
    expect((await gallery(b.json.token)).status).toBe(200);
    expect((await getLink(event.id)).json).toEqual(b.json);
  });

  it('unknown event 404, unknown and malformed tokens 404 gallery_not_found', async () => {
    expect((await getLink('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    for (const t of ['A'.repeat(32), 'short', '%2e%2e']) {
      const r = await gallery(t);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('gallery_not_found');
    }
  });
});

describe('the gallery', () => {
  it('shows only name, dates and theme, and the event pictures newest first in pages', async () => {
    const event = await eventWith('Pages');
    const other = await eventWith('Other');
    await pictureOf(other.id);
    const urls: string[] = [];
    for (let i = 0; i < 5; i++) {
      urls.push(await pictureOf(event.id, 10 + i));
      await new Promise((r) => setTimeout(r, 3));
    }
    const token = (await getLink(event.id)).json.token;
    const all = await gallery(token);
    expect(all.status).toBe(200);
    expect(Object.keys(all.json.event).sort()).toEqual(['ends_at', 'name', 'starts_at', 'theme']);
    expect(all.json.event.name).toBe('Pages');
    expect(all.json.pictures.map((p: { url: string }) => p.url)).toEqual([...urls].reverse());
    expect(all.json.next_before).toBeNull();
    expect(all.json.total.count).toBe(5);
    expect(all.json.total.bytes).toBe(
      all.json.pictures.reduce((n: number, p: { bytes: number }) => n + p.bytes, 0),
    );

    const seen: string[] = [];
    let q = '?limit=2';
    for (;;) {
      const r = await gallery(token, q);
      expect(r.status).toBe(200);
      expect(r.json.pictures.length).toBeLessThanOrEqual(2);
      seen.push(...r.json.pictures.map((p: { url: string }) => p.url));
      if (!r.json.next_before) break;
      q = `?limit=2&before=${encodeURIComponent(r.json.next_before)}`;
    }
    expect(seen).toEqual([...urls].reverse());
  });

  it('pages by (created_at, id): pictures made in the same millisecond across a page edge are neither skipped nor doubled', async () => {
    const event = await eventWith('Same instant');
    const rowOf = async (url: string) => {
      const row = await findPictureByToken(url.split('/p/')[1] ?? '');
      if (!row) throw new Error(`no picture row for ${url}`);
      return row;
    };
    const older = await rowOf(await pictureOf(event.id, 20));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await rowOf(await pictureOf(event.id, 30 + i))).id);
    // The five share one created_at (a fixed clock), one second after the older picture.
    const same = new Date(older.createdAt.getTime() + 1000);
    for (const id of ids) await updatePictureRow(id, { createdAt: same });
    const expected = [...ids].sort().reverse().concat(older.id);

    const token = (await getLink(event.id)).json.token;
    const all = await gallery(token);
    expect(all.json.pictures.map((p: { id: string }) => p.id)).toEqual(expected);
    expect(all.json.next_before).toBeNull();
    expect(all.json.next_before_id).toBeNull();

    // limit=2: the first page ends inside the group of five; each next page starts right after it.
    const seen: string[] = [];
    let q = '?limit=2';
    let pages = 0;
    for (;;) {
      const r = await gallery(token, q);
      expect(r.status).toBe(200);
      pages++;
      seen.push(...r.json.pictures.map((p: { id: string }) => p.id));
      if (!r.json.next_before) {
        expect(r.json.next_before_id).toBeNull();
        break;
      }
      expect(r.json.next_before).toBe(same.toISOString());
      expect(r.json.next_before_id).toBe(seen.at(-1));
      q = `?limit=2&before=${encodeURIComponent(r.json.next_before)}&before_id=${r.json.next_before_id}`;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(6);

    // `before` alone keeps its contract: strictly earlier than the instant (here: the older one only).
    const legacy = await gallery(token, `?limit=2&before=${encodeURIComponent(same.toISOString())}`);
    expect(legacy.json.pictures.map((p: { id: string }) => p.id)).toEqual([older.id]);
    // An upper-case id is the same cursor.
    const upper = await gallery(
      token,
      `?limit=10&before=${encodeURIComponent(same.toISOString())}&before_id=${(expected[1] ?? '').toUpperCase()}`,
    );
    expect(upper.json.pictures.map((p: { id: string }) => p.id)).toEqual(expected.slice(2));
  });

  it('bad query 400 invalid_query', async () => {
    const event = await eventWith('Query');
    const token = (await getLink(event.id)).json.token;
    for (const q of [
      '?limit=0',
      '?limit=201',
      '?limit=x',
      '?before=yesterday',
      '?other=1',
      '?before_id=00000000-0000-4000-8000-000000000000',
      '?before=2026-12-02T18:30:00.000Z&before_id=nope',
    ]) {
      const r = await gallery(token, q);
      expect(r.status, q).toBe(400);
      expect(r.json.error.code).toBe('invalid_query');
    }
  });

  it('expired pictures are left out', async () => {
    const event = await eventWith('Expired', 1);
    await pictureOf(event.id);
    const token = (await getLink(event.id)).json.token;
    expect((await gallery(token)).json.pictures).toHaveLength(1);
    await run((await conn()).update(t.pictures).set({ expiresAt: new Date(Date.now() - 1000) }));
    expect((await gallery(token)).json.pictures).toHaveLength(0);
  });
});

describe('the host removes a picture', () => {
  it('204: row and files go, the take-home link is 404; another event picture is 404 (BOLA)', async () => {
    const event = await eventWith('Remove');
    const other = await eventWith('Not yours');
    await pictureOf(event.id);
    const otherUrl = await pictureOf(other.id);
    const token = (await getLink(event.id)).json.token;
    const otherToken = (await getLink(other.id)).json.token;
    const mine = (await gallery(token)).json.pictures[0];
    const theirs = (await gallery(otherToken)).json.pictures[0];
    const files = (await pictureFiles()).length;

    const bola = await removeIt(token, theirs.id);
    expect(bola.status).toBe(404);
    expect(bola.json.error.code).toBe('picture_not_found');
    const otherPicToken = otherUrl.split('/').pop() as string;
    expect((await call(pictureRoute.GET, { path: '/', params: { token: otherPicToken } })).status).toBe(200);

    const sessionId = (await findEventPicture(event.id, mine.id))?.sessionId as string;
    expect(sessionId).toBeTruthy();
    expect((await removeIt(token, mine.id)).status).toBe(204);
    expect((await gallery(token)).json.pictures).toHaveLength(0);
    // Nothing of it stays: the session's own copy of the result goes too.
    const left = await call(result.GET, {
      path: `/api/session/${sessionId}/result`,
      params: { id: sessionId },
      as: 'booth',
    });
    expect(left.status).toBe(404);
    expect((await pictureFiles()).length).toBe(files - 2);
    const picToken = mine.url.split('/').pop();
    expect((await call(pictureRoute.GET, { path: '/', params: { token: picToken } })).status).toBe(404);
    expect((await removeIt(token, mine.id)).status).toBe(404);
    expect((await removeIt(token, 'not-a-uuid')).status).toBe(404);
    expect((await removeIt('B'.repeat(32), theirs.id)).json.error.code).toBe('gallery_not_found');
  });
});

describe('download all', () => {
  it('a real unzip holds every live picture byte-identical, with readable names', async () => {
    const event = await eventWith('Анна & Boris: 2027/06');
    const other = await eventWith('Other zip');
    await pictureOf(other.id);
    for (let i = 0; i < 4; i++) {
      await pictureOf(event.id, 60 + i);
      await new Promise((r) => setTimeout(r, 3));
    }
    const token = (await getLink(event.id)).json.token;
    const r = await call(galleryZip.GET, { path: `/api/gallery/${token}/zip`, params: { token } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    const cd = r.headers.get('content-disposition') ?? '';
    expect(cd).toMatch(/^attachment; filename="[\x20-\x7e]+\.zip"; filename\*=UTF-8''/);
    expect(decodeURIComponent(cd.split("UTF-8''")[1] ?? '')).toBe('Анна & Boris 2027 06.zip');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-zip-'));
    const zipFile = path.join(dir, 'all.zip');
    fs.writeFileSync(zipFile, r.body);
    expect(execFileSync('unzip', ['-t', zipFile]).toString()).toContain('No errors detected');
    execFileSync('unzip', ['-q', zipFile, '-d', path.join(dir, 'x')]);
    const names = fs.readdirSync(path.join(dir, 'x')).sort();
    expect(names).toHaveLength(4);
    names.forEach((n, i) => {
      expect(n).toMatch(
        new RegExp(`^Анна & Boris 2027 06 \\d{4}-\\d{2}-\\d{2} \\d{2}-\\d{2} 00${i + 1}\\.jpg$`),
      );
    });
    const rows = (await picturesOfEvent(event.id)).sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
    );
    expect(rows).toHaveLength(4);
    for (const [i, row] of rows.entries()) {
      const got = fs.readFileSync(path.join(dir, 'x', names[i] as string));
      const stored = await readStoredBlob(pictureBlobKey(row.storageKey, 'full'));
      expect(stored && got.equals(stored)).toBe(true);
      expect(got.length).toBe(row.bytes);
    }

    // Read from the DB one page at a time (pages of 1 here): the same archive, every entry.
    const paged = await readResponse(
      galleryZipResponse(new Request('http://booth.test/'), await loadGallery(token), { pageSize: 1 }),
    );
    fs.writeFileSync(zipFile, paged.body);
    const listing = execFileSync('unzip', ['-t', zipFile]).toString();
    expect(listing).toContain('No errors detected');
    expect(listing.match(/testing: /g)).toHaveLength(4);
    fs.rmSync(dir, { recursive: true, force: true });

    const none = await call(galleryZip.GET, { path: '/', params: { token: 'C'.repeat(32) } });
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe('gallery_not_found');
  });

  it('a client that goes away stops the archive', async () => {
    const event = await eventWith('Abort');
    for (let i = 0; i < 3; i++) await pictureOf(event.id, 90 + i);
    const token = (await getLink(event.id)).json.token;
    const abort = new AbortController();
    const res = galleryZipResponse(
      new Request('http://booth.test/', { signal: abort.signal }),
      await loadGallery(token),
      { pageSize: 1 },
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    abort.abort();
    // The stream ends (or fails) soon, well before the three pictures are sent.
    let bytes = first.value?.length ?? 0;
    const ended = await Promise.race([
      (async () => {
        try {
          for (;;) {
            const r = await reader.read();
            if (r.done) break;
            bytes += r.value.length;
          }
        } catch {}
        return true;
      })(),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
    ]);
    expect(ended).toBe(true);
    const total = (await gallery(token)).json.total.bytes as number;
    expect(bytes).toBeLessThan(total);
  });

  it('an empty gallery is a valid empty ZIP', async () => {
    const event = await eventWith('Empty');
    const token = (await getLink(event.id)).json.token;
    const r = await call(galleryZip.GET, { path: `/api/gallery/${token}/zip`, params: { token } });
    expect(r.status).toBe(200);
    expect(r.body.subarray(0, 4).toString('hex')).toBe('504b0506');
  });
});

describe('the live gallery stream', () => {
  it('tells a new picture and a removed one, learnt from the database (any process), and stops on abort', async () => {
    const event = await eventWith('Live');
    const other = await eventWith('Live other');
    await pictureOf(event.id, 1);
    const token = (await getLink(event.id)).json.token;
    const abort = new AbortController();
    const request = buildRequest({ path: `/api/gallery/${token}/events`, signal: abort.signal });
    const res = await galleryEvents.GET(request, { params: Promise.resolve({ token }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (re: RegExp) => {
      const deadline = Date.now() + 5000;
      while (!re.test(text)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${re} in ${text}`);
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((r) => setTimeout(() => r(null), left)),
        ]);
        if (chunk?.value) text += new TextDecoder().decode(chunk.value);
      }
      return re.exec(text);
    };
    await until(/retry: /);

    const url = await pictureOf(event.id, 2);
    await pictureOf(other.id, 3);
    const m = await until(/event: picture\ndata: (.*)\n\n/);
    const picture = JSON.parse(m?.[1] ?? '{}');
    expect(picture.url).toBe(url);
    expect(picture.event_id).toBe(event.id);
    expect(text.match(/event: picture/g)).toHaveLength(1);

    // Removed behind this process's back (as another worker or the bot would): still told.
    expect(await dbRun('delete from pictures where id = ?', [picture.id])).toBe(1);
    const gone = await until(/event: removed\ndata: (.*)\n\n/);
    expect(JSON.parse(gone?.[1] ?? '{}')).toEqual({ id: picture.id });

    abort.abort();
    await reader.cancel().catch(() => {});
  });

  it('unknown token 404 gallery_not_found', async () => {
    const r = await call(galleryEvents.GET, { path: '/', params: { token: 'D'.repeat(32) } });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('gallery_not_found');
  });
});
