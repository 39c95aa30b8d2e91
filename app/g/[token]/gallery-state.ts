import type { GalleryPage } from '@/lib/gallery';
import type { PictureJson } from '@/lib/shared/wire';

/**
 * The gallery page's list, as a reducer (pure: the same in React's double renders):
 * - pictures newest first by (created_at desc, id desc), each id once;
 * - `next`: the (created_at, id) cursor of the next older page, null when none is left;
 * - `total`: all live pictures of the event (the "Download all" button).
 *
 * The page opens the gallery stream first and (re)reads the first page when the stream opens, so
 * a picture made between the server render and the stream is not missed (`first`).
 */
/** Thumbnails per page (the server render reads the same number). */
export const GALLERY_PAGE = 48;

export interface Cursor {
  before: string;
  beforeId: string | null;
}

export interface GalleryState {
  pictures: PictureJson[];
  next: Cursor | null;
  total: { count: number; bytes: number };
}

export type GalleryAction =
  /** The first page, read again (the stream has just opened). */
  | { type: 'first'; page: GalleryPage }
  /** The next older page. */
  | { type: 'more'; page: GalleryPage }
  /** A new (or re-made) picture from the stream. */
  | { type: 'added'; picture: PictureJson }
  | { type: 'removed'; id: string };

export function cursorOf(page: GalleryPage): Cursor | null {
  return page.next_before ? { before: page.next_before, beforeId: page.next_before_id } : null;
}

export function initialState(page: GalleryPage): GalleryState {
  return { pictures: page.pictures, next: cursorOf(page), total: page.total };
}

/** Newest first: (created_at desc, id desc), as the server pages. */
export function newerFirst(a: { created_at: string; id: string }, b: { created_at: string; id: string }) {
  const ta = Date.parse(a.created_at);
  const tb = Date.parse(b.created_at);
  if (ta !== tb) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function byId(list: PictureJson[]): Map<string, PictureJson> {
  return new Map(list.map((p) => [p.id, p]));
}

export function galleryReducer(state: GalleryState, action: GalleryAction): GalleryState {
  switch (action.type) {
    case 'first': {
      const page = action.page;
      const fresh = byId(page.pictures);
      const edge = page.pictures.at(-1);
      // What the first page covers (all, when it is the last page): a picture known here but not in
      // it was removed meanwhile. Older ones (loaded by scrolling) stay.
      const covered = (p: PictureJson) => !page.next_before || !edge || newerFirst(p, edge) <= 0;
      const kept = state.pictures.filter((p) => !fresh.has(p.id) && !covered(p));
      const pictures = [...page.pictures, ...kept].sort(newerFirst);
      // Nothing older loaded yet: the cursor is the fresh page's; else keep scrolling from where we were.
      const next = kept.length === 0 ? cursorOf(page) : state.next;
      return { pictures, next, total: page.total };
    }
    case 'more': {
      const seen = byId(state.pictures);
      const older = action.page.pictures.filter((p) => !seen.has(p.id));
      return {
        pictures: [...state.pictures, ...older].sort(newerFirst),
        next: cursorOf(action.page),
        total: action.page.total,
      };
    }
    case 'added': {
      const p = action.picture;
      const had = state.pictures.find((o) => o.id === p.id);
      const pictures = [p, ...state.pictures.filter((o) => o.id !== p.id)].sort(newerFirst);
      const total = had
        ? { count: state.total.count, bytes: state.total.bytes - had.bytes + p.bytes }
        : { count: state.total.count + 1, bytes: state.total.bytes + p.bytes };
      return { ...state, pictures, total };
    }
    case 'removed': {
      const gone = state.pictures.find((o) => o.id === action.id);
      if (!gone) return state;
      return {
        ...state,
        pictures: state.pictures.filter((o) => o.id !== action.id),
        total: { count: state.total.count - 1, bytes: state.total.bytes - gone.bytes },
      };
    }
  }
}
