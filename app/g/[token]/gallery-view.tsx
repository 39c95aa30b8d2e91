'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { canWebShare, pictureFile, type ShareOutcome, sharePicture } from '@/components/share-picture';
import type { GalleryPage } from '@/lib/gallery';
import type { PictureJson } from '@/lib/shared/wire';
import { GALLERY_PAGE, galleryReducer, initialState } from './gallery-state';

/** Thumbnails a phone shows without scrolling (three columns, about four rows). */
const EAGER_THUMBNAILS = 12;

type ShareNote = Exclude<ShareOutcome, 'shared' | 'cancelled'>;

/**
 * The gallery in the browser: a grid of thumbnails (lazy, `?variant=thumb`) that pages in as the
 * host scrolls (IntersectionObserver on a sentinel, the (created_at, id) cursor), a full-size view
 * with save, share and remove, new pictures from the gallery stream, and "Download all" with the
 * size shown before it starts. The stream is opened before the first page is read again (on each
 * open, reconnects included), so no picture made meanwhile is missed; every list is merged by id.
 */
export function GalleryView({ token, initial }: { token: string; initial: GalleryPage }) {
  const t = useTranslations('gallery');
  const tShow = useTranslations('slideshow');
  const ts = useTranslations('galleryShare');
  const [state, dispatch] = useReducer(galleryReducer, initial, initialState);
  const { pictures, next, total } = state;
  const [open, setOpen] = useState<PictureJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<ShareNote | null>(null);
  const [canShare, setCanShare] = useState(false);
  const shareFile = useRef<{ id: string; file: Promise<File | null> } | null>(null);
  const loading = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const theme = initial.event.theme;

  const loadMore = useCallback(async () => {
    if (!next || loading.current) return;
    loading.current = true;
    try {
      const q = new URLSearchParams({ limit: String(GALLERY_PAGE), before: next.before });
      if (next.beforeId) q.set('before_id', next.beforeId);
      const r = await fetch(`/api/gallery/${token}?${q}`);
      if (!r.ok) throw new Error(String(r.status));
      dispatch({ type: 'more', page: (await r.json()) as GalleryPage });
      setError(null);
    } catch {
      setError(t('loadFailed'));
    } finally {
      loading.current = false;
    }
  }, [next, token, t]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void loadMore();
      },
      { rootMargin: '800px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [loadMore]);

  useEffect(() => {
    const es = new EventSource(`/api/gallery/${token}/events`);
    let live = true;
    // The stream tells what is new from when it opens: read the first page again now, so a
    // picture made between the server render (or a drop) and this open is not missed.
    es.addEventListener('open', () => {
      void fetch(`/api/gallery/${token}?limit=${GALLERY_PAGE}`)
        .then((r) => (r.ok ? (r.json() as Promise<GalleryPage>) : null))
        .then((page) => {
          if (page && live) dispatch({ type: 'first', page });
        })
        .catch(() => {});
    });
    es.addEventListener('picture', (e) => {
      dispatch({ type: 'added', picture: JSON.parse((e as MessageEvent).data) as PictureJson });
    });
    es.addEventListener('removed', (e) => {
      const { id } = JSON.parse((e as MessageEvent).data) as { id: string };
      dispatch({ type: 'removed', id });
      setOpen((o) => (o?.id === id ? null : o));
    });
    return () => {
      live = false;
      es.close();
    };
  }, [token]);

  useEffect(() => setCanShare(canWebShare()), []);

  const show = (p: PictureJson | null) => {
    setNote(null);
    setOpen(p);
    // Where Web Share exists, fetch the file as the view opens: the click's user activation
    // would not outlast a slow download of the full picture.
    shareFile.current =
      p && canWebShare() ? { id: p.id, file: pictureFile(`${p.image_url}?from=host`) } : null;
  };

  const share = async (p: PictureJson) => {
    setNote(null);
    const file = shareFile.current?.id === p.id ? await shareFile.current.file : undefined;
    const outcome = await sharePicture(p, {
      title: ts('title', { event: initial.event.name }),
      text: ts('text', { event: initial.event.name }),
      file,
    });
    if (outcome !== 'shared' && outcome !== 'cancelled') setNote(outcome);
  };

  const remove = async (p: PictureJson) => {
    if (!window.confirm(t('removeConfirm'))) return;
    const r = await fetch(`/api/gallery/${token}/pictures/${p.id}`, { method: 'DELETE' }).catch(() => null);
    if (!r || (r.status !== 204 && r.status !== 404)) {
      setError(t('removeFailed'));
      return;
    }
    dispatch({ type: 'removed', id: p.id });
    show(null);
  };

  const mb = (total.bytes / 1_000_000).toFixed(1);
  return (
    <main className="min-h-dvh" style={{ background: theme.background, color: theme.text }}>
      <header className="flex flex-wrap items-center justify-between gap-3 p-4">
        <h1 className="text-2xl font-semibold">{t('title', { event: initial.event.name })}</h1>
        <a
          href={`/g/${token}/show`}
          target="_blank"
          rel="noopener noreferrer"
          title={tShow('galleryLinkTitle')}
          className="ml-auto text-sm underline underline-offset-4"
        >
          {tShow('galleryLink')}
        </a>
        {total.count > 0 && (
          <a
            href={`/api/gallery/${token}/zip`}
            download
            className="rounded-lg px-4 py-2 font-medium text-white"
            style={{ background: theme.accent }}
          >
            {t('downloadAll', { count: total.count, mb })}
          </a>
        )}
      </header>
      {error && (
        <p role="alert" className="px-4 text-red-700">
          {error}
        </p>
      )}
      {pictures.length === 0 ? (
        <p className="p-4 opacity-70">{t('empty')}</p>
      ) : (
        <ul className="grid grid-cols-3 gap-1 p-1 sm:grid-cols-4 lg:grid-cols-6" data-testid="gallery-grid">
          {pictures.map((p, i) => (
            <li key={p.id}>
              <button type="button" className="block w-full" onClick={() => show(p)}>
                {/* biome-ignore lint/performance/noImgElement: thumbnails come from the API as they are */}
                <img
                  src={`${p.image_url}?variant=thumb`}
                  alt={t('alt')}
                  // The first rows are on screen at once: fetched with the HTML, ahead of the rest
                  // (a lazy image waits for layout, which waits for the styles); the others as the host scrolls.
                  loading={i < EAGER_THUMBNAILS ? 'eager' : 'lazy'}
                  fetchPriority={i < EAGER_THUMBNAILS ? 'high' : 'auto'}
                  decoding="async"
                  width={p.width}
                  height={p.height}
                  className="aspect-square h-auto w-full object-cover"
                />
              </button>
            </li>
          ))}
        </ul>
      )}
      <div ref={sentinel} className="h-8" aria-hidden />
      {next && <p className="p-4 text-center opacity-60">{t('loading')}</p>}
      {open && (
        <div role="dialog" aria-modal className="fixed inset-0 z-10 flex flex-col bg-black/90 p-3 text-white">
          <div className="flex justify-end gap-2">
            <a href={`${open.image_url}?download=1&from=host`} className="rounded bg-white/20 px-3 py-2">
              {t('save')}
            </a>
            <button type="button" className="rounded bg-white/20 px-3 py-2" onClick={() => void share(open)}>
              {canShare ? ts('share') : ts('copyLink')}
            </button>
            <button type="button" className="rounded bg-red-600 px-3 py-2" onClick={() => void remove(open)}>
              {t('remove')}
            </button>
            <button type="button" className="rounded bg-white/20 px-3 py-2" onClick={() => show(null)}>
              {t('close')}
            </button>
          </div>
          {note && (
            <p
              role={note === 'copied' ? 'status' : 'alert'}
              className={`mt-2 text-right ${note === 'copied' ? 'text-emerald-300' : 'text-red-300'}`}
            >
              {ts(note)}
            </p>
          )}
          {/* biome-ignore lint/performance/noImgElement: the full-size picture, as it is */}
          <img
            src={`${open.image_url}?from=host`}
            alt={t('alt')}
            className="m-auto max-h-[85dvh] max-w-full object-contain"
          />
        </div>
      )}
    </main>
  );
}
