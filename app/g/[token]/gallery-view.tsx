'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GalleryPage } from '@/lib/gallery';
import type { PictureJson } from '@/lib/shared/wire';

const PAGE = 48;

/**
 * The gallery in the browser: a grid of thumbnails (lazy, `?variant=thumb`) that pages in as the
 * host scrolls (IntersectionObserver on a sentinel), a full-size view with save, remove, new
 * pictures from the gallery stream, and "Download all" with the size shown before it starts.
 */
export function GalleryView({ token, initial }: { token: string; initial: GalleryPage }) {
  const t = useTranslations('gallery');
  const tShow = useTranslations('slideshow');
  const [pictures, setPictures] = useState<PictureJson[]>(initial.pictures);
  const [next, setNext] = useState<string | null>(initial.next_before);
  const [total, setTotal] = useState(initial.total);
  const [open, setOpen] = useState<PictureJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const theme = initial.event.theme;

  const loadMore = useCallback(async () => {
    if (!next || loading.current) return;
    loading.current = true;
    try {
      const r = await fetch(`/api/gallery/${token}?limit=${PAGE}&before=${encodeURIComponent(next)}`);
      if (!r.ok) throw new Error(String(r.status));
      const page = (await r.json()) as GalleryPage;
      setPictures((old) => {
        const seen = new Set(old.map((p) => p.id));
        return [...old, ...page.pictures.filter((p) => !seen.has(p.id))];
      });
      setNext(page.next_before);
      setTotal(page.total);
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
    es.addEventListener('picture', (e) => {
      const p = JSON.parse((e as MessageEvent).data) as PictureJson;
      setPictures((old) => {
        const had = old.some((o) => o.id === p.id);
        if (!had) setTotal((tt) => ({ count: tt.count + 1, bytes: tt.bytes + p.bytes }));
        return [p, ...old.filter((o) => o.id !== p.id)];
      });
    });
    es.addEventListener('removed', (e) => {
      const { id } = JSON.parse((e as MessageEvent).data) as { id: string };
      setPictures((old) => {
        const gone = old.find((o) => o.id === id);
        if (gone) setTotal((tt) => ({ count: tt.count - 1, bytes: tt.bytes - gone.bytes }));
        return old.filter((o) => o.id !== id);
      });
      setOpen((o) => (o?.id === id ? null : o));
    });
    return () => es.close();
  }, [token]);

  const remove = async (p: PictureJson) => {
    if (!window.confirm(t('removeConfirm'))) return;
    const r = await fetch(`/api/gallery/${token}/pictures/${p.id}`, { method: 'DELETE' }).catch(() => null);
    if (!r || (r.status !== 204 && r.status !== 404)) {
      setError(t('removeFailed'));
      return;
    }
    setPictures((old) => {
      if (old.some((o) => o.id === p.id))
        setTotal((tt) => ({ count: tt.count - 1, bytes: tt.bytes - p.bytes }));
      return old.filter((o) => o.id !== p.id);
    });
    setOpen(null);
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
          {pictures.map((p) => (
            <li key={p.id}>
              <button type="button" className="block w-full" onClick={() => setOpen(p)}>
                {/* biome-ignore lint/performance/noImgElement: thumbnails come from the API as they are */}
                <img
                  src={`${p.image_url}?variant=thumb`}
                  alt={t('alt')}
                  loading="lazy"
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
            <a href={`${open.image_url}?download=1`} className="rounded bg-white/20 px-3 py-2">
              {t('save')}
            </a>
            <button type="button" className="rounded bg-red-600 px-3 py-2" onClick={() => void remove(open)}>
              {t('remove')}
            </button>
            <button type="button" className="rounded bg-white/20 px-3 py-2" onClick={() => setOpen(null)}>
              {t('close')}
            </button>
          </div>
          {/* biome-ignore lint/performance/noImgElement: the full-size picture, as it is */}
          <img
            src={open.image_url}
            alt={t('alt')}
            className="m-auto max-h-[85dvh] max-w-full object-contain"
          />
        </div>
      )}
    </main>
  );
}
