'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import { QrCode } from '@/components/qr-code';
import type { EventTheme } from '@/lib/shared/event';
import type { PictureJson } from '@/lib/shared/wire';
import { ROTATION_MAX, Rotation, screenSrc } from './rotation';

/** The cross-fade (CSS opacity transition of the two layers); quicker for a picture just made. */
const FADE_MS = 700;
const FRESH_FADE_MS = 400;
/** A new picture while more new ones wait: each still stays this long at least. */
const BURST_DWELL_MS = 3000;
/** A load that neither loads nor fails (a hung connection) is given up after this. */
const LOAD_TIMEOUT_MS = 15_000;
/** Failed loads in a row before the screen keeps what it shows until the next dwell. */
const MAX_FAILURES = 5;
/** The mouse pointer hides after this long without moving. */
const CURSOR_IDLE_MS = 2500;
/** A stream the server closed for good (not a network drop: EventSource retries those) is reopened after this. */
const REOPEN_MS = 15_000;

/**
 * The slideshow's screen. Two stacked <img> layers, nothing more: the hidden one loads (and
 * decodes) the next picture, then the two swap opacity (the cross-fade). Every state the loop
 * keeps is bounded (Rotation: ROTATION_MAX pictures); there is one dwell timer, one stream, and
 * every listener and timer goes on unmount, so it runs for hours at a venue without growing.
 */
export function SlideshowView({
  token,
  name,
  theme,
  initial,
  galleryUrl,
  dwellMs,
}: {
  token: string;
  name: string;
  theme: EventTheme;
  initial: PictureJson[];
  /** The host gallery's link for the corner QR; null: the event does not allow it. */
  galleryUrl: string | null;
  dwellMs: number;
}) {
  const t = useTranslations('slideshow');
  const layerA = useRef<HTMLImageElement>(null);
  const layerB = useRef<HTMLImageElement>(null);
  const [empty, setEmpty] = useState(initial.length === 0);
  const [idle, setIdle] = useState(false);
  // The first render's pictures only: later ones come from the stream and the re-read page.
  const first = useRef(initial);

  useEffect(() => {
    const a = layerA.current;
    const b = layerB.current;
    if (!a || !b) return;
    const layers = [a, b] as const;
    const frontEl = () => (front === 0 ? a : b);
    const rot = new Rotation(first.current);
    let front: 0 | 1 = 0;
    let currentId: string | null = null;
    let loadingId: string | null = null;
    let loadingFresh = false;
    let fadeEnd = 0;
    let failures = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let clearTimer: ReturnType<typeof setTimeout> | undefined;
    let sweepTimer: ReturnType<typeof setTimeout> | undefined;

    const schedule = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(step, ms);
    };
    const back = () => (front === 0 ? b : a);
    const clear = (el: HTMLImageElement) => {
      el.removeAttribute('src');
      delete el.dataset.id;
    };

    /** Nothing left to show: both layers fade out, the calm "pictures appear here" shows. */
    const showEmpty = () => {
      currentId = null;
      loadingId = null;
      for (const el of layers) {
        el.style.transitionDuration = `${FADE_MS}ms`;
        el.style.opacity = '0';
      }
      setEmpty(true);
      clearTimeout(clearTimer);
      clearTimer = setTimeout(() => {
        if (currentId === null && loadingId === null) for (const el of layers) clear(el);
      }, FADE_MS + 50);
    };

    const reveal = (el: HTMLImageElement, id: string, fresh: boolean) => {
      const old = frontEl();
      front = el === a ? 0 : 1;
      const fade = fresh ? FRESH_FADE_MS : FADE_MS;
      for (const l of layers) l.style.transitionDuration = `${fade}ms`;
      el.style.opacity = '1';
      el.removeAttribute('aria-hidden');
      if (old !== el) {
        old.style.opacity = '0';
        old.setAttribute('aria-hidden', 'true');
      }
      currentId = id;
      loadingId = null;
      failures = 0;
      fadeEnd = Date.now() + fade;
      clearTimeout(clearTimer);
      // A picture removed while it faded out is not kept in the hidden layer.
      const oldId = old.dataset.id;
      clearTimeout(sweepTimer);
      sweepTimer = setTimeout(() => {
        if (old !== frontEl() && oldId && old.dataset.id === oldId && !rot.has(oldId)) clear(old);
      }, fade + 50);
      setEmpty(false);
      schedule(fresh && rot.pending > 0 ? Math.min(dwellMs, BURST_DWELL_MS) : dwellMs);
    };

    /** The next picture into the hidden layer; it is revealed once loaded and decoded. */
    function step() {
      clearTimeout(timer);
      if (stopped) return;
      const wait = fadeEnd - Date.now();
      if (wait > 0) {
        schedule(wait);
        return;
      }
      const next = rot.next(currentId);
      if (!next) {
        loadingId = null;
        if (rot.size === 0 && currentId !== null) showEmpty();
        else if (rot.size === 0) setEmpty(true);
        schedule(dwellMs);
        return;
      }
      const { picture, fresh } = next;
      const el = back();
      loadingId = picture.id;
      loadingFresh = fresh;
      el.dataset.id = picture.id;
      const src = screenSrc(picture);
      if (el.getAttribute('src') === src && el.complete && el.naturalWidth > 0) {
        reveal(el, picture.id, fresh);
        return;
      }
      el.src = src;
      schedule(LOAD_TIMEOUT_MS);
    }

    const onLoad = (e: Event) => {
      const el = e.currentTarget as HTMLImageElement;
      const id = el.dataset.id;
      if (!id || id !== loadingId || el === frontEl()) return;
      const fresh = loadingFresh;
      // Decoded before the fade, so the fade does not stutter on a big picture.
      el.decode()
        .catch(() => undefined)
        .then(() => {
          if (!stopped && el.dataset.id === id && loadingId === id) reveal(el, id, fresh);
        });
    };
    const onError = (e: Event) => {
      const el = e.currentTarget as HTMLImageElement;
      if (!el.dataset.id || el.dataset.id !== loadingId || el === frontEl()) return;
      // Skipped, never shown broken; while offline the screen keeps what it shows, and a new
      // picture gets another turn.
      if (loadingFresh) rot.retry(el.dataset.id);
      clear(el);
      loadingId = null;
      failures++;
      if (failures < Math.min(rot.size, MAX_FAILURES)) schedule(200);
      else {
        failures = 0;
        if (currentId === null && rot.size > 0) setEmpty(true);
        schedule(dwellMs);
      }
    };
    for (const el of layers) {
      el.addEventListener('load', onLoad);
      el.addEventListener('error', onError);
    }

    const arrived = (p: PictureJson) => {
      if (!rot.add(p)) return;
      // Shown next, now: the dwell is cut short (a fade in progress finishes first), and a
      // picture of the loop being loaded gives way. A new one being loaded keeps its turn.
      if (loadingId !== null && loadingFresh) return;
      step();
    };
    const gone = (id: string) => {
      rot.remove(id);
      const hidden = back();
      if (loadingId === id || hidden.dataset.id === id) {
        clear(hidden);
        if (loadingId === id) {
          loadingId = null;
          step();
        }
      }
      if (currentId === id) {
        if (rot.size === 0) {
          clearTimeout(timer);
          showEmpty();
        } else if (loadingId === null) step();
      }
    };

    // The stream: new and removed pictures. On every (re)open the first page is read again and
    // merged, so what was made or removed while the network was down is caught up.
    let es: EventSource | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;
    let reading: AbortController | undefined;
    const reread = async () => {
      reading?.abort();
      const ctrl = new AbortController();
      reading = ctrl;
      try {
        const r = await fetch(`/api/gallery/${token}?limit=${ROTATION_MAX}`, {
          cache: 'no-store',
          signal: ctrl.signal,
        });
        if (!r.ok || stopped) return;
        const page = (await r.json()) as { pictures: PictureJson[]; next_before: string | null };
        if (stopped || ctrl.signal.aborted) return;
        const { added, removed } = rot.merge(page.pictures, page.next_before === null);
        for (const id of removed) gone(id);
        if (added > 0 && !(loadingId !== null && loadingFresh)) step();
      } catch {
        // Offline again: the stream's next open reads it.
      } finally {
        if (reading === ctrl) reading = undefined;
      }
    };
    const onPicture = (e: MessageEvent) => arrived(JSON.parse(e.data) as PictureJson);
    const onRemoved = (e: MessageEvent) => gone((JSON.parse(e.data) as { id: string }).id);
    const open = () => {
      es?.close();
      clearTimeout(reopenTimer);
      const s = new EventSource(`/api/gallery/${token}/events`);
      s.addEventListener('open', () => void reread());
      s.addEventListener('picture', onPicture);
      s.addEventListener('removed', onRemoved);
      s.addEventListener('error', () => {
        // A network drop: EventSource reconnects by itself. Closed for good (an answer that is
        // not a stream, e.g. a server restarting): opened again later.
        if (s.readyState === EventSource.CLOSED && !stopped) {
          clearTimeout(reopenTimer);
          reopenTimer = setTimeout(open, REOPEN_MS);
        }
      });
      es = s;
    };
    const onOnline = () => {
      if (es?.readyState !== EventSource.OPEN) open();
      if (rot.pending > 0 && loadingId === null) step();
    };
    window.addEventListener('online', onOnline);
    open();
    step();

    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(clearTimer);
      clearTimeout(sweepTimer);
      clearTimeout(reopenTimer);
      reading?.abort();
      es?.close();
      window.removeEventListener('online', onOnline);
      for (const el of layers) {
        el.removeEventListener('load', onLoad);
        el.removeEventListener('error', onError);
      }
    };
  }, [token, dwellMs]);

  // The screen stays on (Wake Lock, where the browser has it: a secure context), again after
  // the tab was hidden; the first click or tap asks for full screen; the pointer hides when idle.
  useEffect(() => {
    let lock: WakeLockSentinel | null = null;
    let stopped = false;
    const acquire = async () => {
      if (!('wakeLock' in navigator) || document.visibilityState !== 'visible') return;
      if (lock && !lock.released) return;
      try {
        const l = await navigator.wakeLock.request('screen');
        if (stopped) void l.release();
        else lock = l;
      } catch {
        // Refused (battery saver, policy): the screen's own settings decide.
      }
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void acquire();
    };
    const onTap = () => {
      if (!document.fullscreenElement) void document.documentElement.requestFullscreen?.().catch(() => {});
    };
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const onMove = () => {
      setIdle(false);
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => setIdle(true), CURSOR_IDLE_MS);
    };
    void acquire();
    onMove();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('pointerup', onTap);
    window.addEventListener('pointermove', onMove);
    return () => {
      stopped = true;
      clearTimeout(idleTimer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pointerup', onTap);
      window.removeEventListener('pointermove', onMove);
      void lock?.release().catch(() => {});
    };
  }, []);

  const layer =
    'absolute inset-0 h-full w-full object-contain opacity-0 transition-opacity duration-700 ease-in-out';
  return (
    <main
      className="fixed inset-0 overflow-hidden select-none"
      style={{ background: theme.background, color: theme.text, cursor: idle ? 'none' : 'default' }}
      data-testid="slideshow"
    >
      {/* biome-ignore lint/performance/noImgElement: the full-size picture, swapped by the loop */}
      <img ref={layerA} alt={t('alt')} className={layer} data-layer="a" />
      {/* biome-ignore lint/performance/noImgElement: the full-size picture, swapped by the loop */}
      <img ref={layerB} alt={t('alt')} className={layer} data-layer="b" aria-hidden="true" />
      {empty && (
        <div className="absolute inset-0 flex flex-col items-center justify-center gap-4 p-8 text-center">
          <p className="text-[clamp(1.5rem,4vw,3.5rem)] font-semibold" style={{ color: theme.accent }}>
            {name}
          </p>
          <h1 className="text-[clamp(1.25rem,2.5vw,2.25rem)] opacity-80">{t('emptyTitle')}</h1>
        </div>
      )}
      {!empty && (
        <p
          className="absolute bottom-3 left-4 rounded px-2 py-1 text-[clamp(0.8rem,1.2vw,1.1rem)]"
          style={{ background: `${theme.background}b3` }}
        >
          {name}
        </p>
      )}
      {galleryUrl && (
        <figure className="absolute right-4 bottom-4 flex flex-col items-center rounded-2xl bg-white pb-2 text-neutral-900">
          <QrCode value={galleryUrl} label={t('qrAlt')} size={160} fluid="min(24vh, 18vw)" />
          <figcaption className="-mt-2 px-3 text-[clamp(0.75rem,1.1vw,1.1rem)] font-medium">
            {t('qrCaption')}
          </figcaption>
        </figure>
      )}
    </main>
  );
}
