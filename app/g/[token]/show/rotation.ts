import type { PictureJson } from '@/lib/shared/wire';

/** How long each picture stays on the slideshow (`?dwell=` seconds). */
export const DWELL_DEFAULT_S = 6;
export const DWELL_MIN_S = 2;
export const DWELL_MAX_S = 120;
/** The newest pictures the slideshow cycles through; older ones leave the rotation. */
export const ROTATION_MAX = 200;

/** The full picture, fetched as the host's screen: not counted as its guest saving it. */
export const screenSrc = (p: Pick<PictureJson, 'image_url'>) => `${p.image_url}?from=host`;

const newestFirst = (a: PictureJson, b: PictureJson) =>
  a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0;

/**
 * What the slideshow shows next: the event's newest pictures (at most ROTATION_MAX, newest first)
 * in a loop, and before them each new picture, in the order they came. No DOM, no timers: the view
 * (slideshow-view.tsx) asks `next()` when it is time to change, and tells it what came and went.
 */
export class Rotation {
  private list: PictureJson[];
  /** Ids of new pictures to show next, oldest arrival first (bounded like the list). */
  private queue: string[] = [];
  /** The picture the loop last handed out: the loop goes on after it. */
  private lastId: string | null = null;

  constructor(initial: PictureJson[]) {
    const seen = new Set<string>();
    this.list = initial
      .filter((p) => !seen.has(p.id) && seen.add(p.id))
      .sort(newestFirst)
      .slice(0, ROTATION_MAX);
  }

  get size(): number {
    return this.list.length;
  }

  get pending(): number {
    return this.queue.length;
  }

  has(id: string): boolean {
    return this.list.some((p) => p.id === id);
  }

  /** A new picture (shown next) or a replaced one (same id: updated in place). True when new. */
  add(p: PictureJson): boolean {
    const at = this.list.findIndex((o) => o.id === p.id);
    if (at >= 0) {
      this.list[at] = p;
      return false;
    }
    this.list.push(p);
    this.list.sort(newestFirst);
    while (this.list.length > ROTATION_MAX) {
      const dropped = this.list.pop();
      if (dropped) this.queue = this.queue.filter((id) => id !== dropped.id);
    }
    if (!this.has(p.id)) return false;
    this.queue.push(p.id);
    if (this.queue.length > ROTATION_MAX) this.queue.shift();
    return true;
  }

  /** A new picture that could not be loaded (offline?): it waits its turn again, after the others. */
  retry(id: string): void {
    if (this.has(id) && !this.queue.includes(id)) this.queue.push(id);
  }

  /** A removed picture leaves the loop and the queue at once. True when it was in the loop. */
  remove(id: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((p) => p.id !== id);
    this.queue = this.queue.filter((q) => q !== id);
    return this.list.length !== before;
  }

  /**
   * The first page, read again after the stream (re)opened: what is new in it is shown next, and
   * what the loop has but the page's span does not is gone (removed while the stream was down).
   * `complete`: the page holds every live picture (no older page).
   */
  merge(page: PictureJson[], complete: boolean): { added: number; removed: string[] } {
    const ids = new Set(page.map((p) => p.id));
    const oldest = page.reduce<string | null>(
      (min, p) => (min === null || p.created_at < min ? p.created_at : min),
      null,
    );
    const removed = this.list
      .filter((p) => !ids.has(p.id) && (complete || (oldest !== null && p.created_at >= oldest)))
      .map((p) => p.id);
    for (const id of removed) this.remove(id);
    let added = 0;
    for (const p of [...page].sort(newestFirst).reverse()) {
      if (!this.has(p.id) && this.add(p)) added++;
    }
    return { added, removed };
  }

  /** The picture to show after `currentId`: a new one first, else the loop's next; null: none other. */
  next(currentId: string | null): { picture: PictureJson; fresh: boolean } | null {
    while (this.queue.length > 0) {
      const id = this.queue.shift() as string;
      const p = this.list.find((o) => o.id === id);
      if (p && p.id !== currentId) {
        this.lastId = p.id;
        return { picture: p, fresh: true };
      }
    }
    const n = this.list.length;
    if (n === 0) return null;
    const start = this.lastId ? this.list.findIndex((p) => p.id === this.lastId) + 1 : 0;
    for (let i = 0; i < n; i++) {
      const p = this.list[(start + i) % n];
      if (p && p.id !== currentId) {
        this.lastId = p.id;
        return { picture: p, fresh: false };
      }
    }
    return null;
  }
}
