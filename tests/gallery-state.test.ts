import { describe, expect, it } from 'vitest';
import { galleryReducer, initialState } from '@/app/g/[token]/gallery-state';
import type { GalleryPage } from '@/lib/gallery';
import type { PictureJson } from '@/lib/shared/wire';

/** The gallery page's list: merges by id, in (created_at desc, id desc) order, never doubled. */

const T = '2026-12-02T18:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T) + s * 1000).toISOString();

function pic(id: string, seconds: number, bytes = 100): PictureJson {
  return {
    id,
    event_id: 'e',
    session_id: null,
    created_at: at(seconds),
    expires_at: at(86_400),
    width: 10,
    height: 10,
    bytes,
    url: `http://x/p/${id}`,
    image_url: `/api/pictures/${id}/image`,
  };
}

function page(pictures: PictureJson[], more: boolean, count = pictures.length): GalleryPage {
  const last = pictures.at(-1);
  return {
    event: {
      name: 'E',
      starts_at: null,
      ends_at: null,
      theme: { background: '#fff', text: '#000', accent: '#f00' },
    },
    pictures,
    next_before: more && last ? last.created_at : null,
    next_before_id: more && last ? last.id : null,
    total: { count, bytes: count * 100 },
  };
}

const ids = (s: { pictures: PictureJson[] }) => s.pictures.map((p) => p.id);

describe('gallery list', () => {
  it('the first page read again when the stream opens adds what was made meanwhile and drops what was removed', () => {
    // Rendered: c, b (b and a share an instant; a is on the next page).
    let s = initialState(page([pic('c', 3), pic('b', 2)], true, 3));
    s = galleryReducer(s, { type: 'more', page: page([pic('a', 2)], false, 3) });
    expect(ids(s)).toEqual(['c', 'b', 'a']);
    expect(s.next).toBeNull();
    // Meanwhile d was made and c removed; the stream opens and the first page is read again.
    s = galleryReducer(s, { type: 'first', page: page([pic('d', 4), pic('b', 2)], true, 3) });
    expect(ids(s)).toEqual(['d', 'b', 'a']);
    expect(s.total.count).toBe(3);
    // The older page already loaded keeps its cursor (none left).
    expect(s.next).toBeNull();
  });

  it('a stream picture already in the list (or arriving twice) is there once and counted once', () => {
    let s = initialState(page([pic('b', 2)], false, 1));
    s = galleryReducer(s, { type: 'added', picture: pic('c', 3) });
    s = galleryReducer(s, { type: 'added', picture: pic('c', 3) });
    expect(ids(s)).toEqual(['c', 'b']);
    expect(s.total).toEqual({ count: 2, bytes: 200 });
    s = galleryReducer(s, { type: 'first', page: page([pic('c', 3), pic('b', 2)], false, 2) });
    expect(ids(s)).toEqual(['c', 'b']);
    s = galleryReducer(s, { type: 'removed', id: 'b' });
    s = galleryReducer(s, { type: 'removed', id: 'b' });
    expect(ids(s)).toEqual(['c']);
    expect(s.total).toEqual({ count: 1, bytes: 100 });
  });

  it('keeps the cursor as (created_at, id) and orders same-instant pictures by id desc', () => {
    const s = initialState(page([pic('y', 5), pic('x', 5)], true, 4));
    expect(s.next).toEqual({ before: at(5), beforeId: 'x' });
    const t = galleryReducer(s, { type: 'added', picture: pic('z', 5) });
    expect(ids(t)).toEqual(['z', 'y', 'x']);
  });
});
