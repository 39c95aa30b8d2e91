'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiFailure,
  errorKey,
  isRetryable,
  type PhotoJson,
  type SessionJson,
  uploadPhoto,
} from '@/components/api';
import { Button } from '@/components/button';
import { Countdown } from '@/components/countdown';
import { type Connection, useLiveSession, useSessionPhotos } from '@/components/use-live-session';
import { type Layout, sessionProgress } from '@/lib/shared/session';
import { GuestGone } from './guest-notice';
import { GuestPicture } from './guest-picture';
import { LayoutChoice } from './layout-choice';

/** Long side of what the phone sends: plenty for a 6×4" print, a fraction of a camera original. */
const MAX_SIDE = 2560;

/**
 * Shrinks a photo on the phone before sending (saves mobile data and time). EXIF orientation is
 * applied by createImageBitmap. Whatever the browser cannot decode (HEIC on some, a PDF…) is sent
 * as it is: the server decides what is an image.
 */
async function downscale(file: File): Promise<{ blob: Blob; name: string }> {
  const original = { blob: file as Blob, name: file.name || 'photo.jpg' };
  if (typeof createImageBitmap !== 'function') return original;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return original;
  }
  try {
    const long = Math.max(bitmap.width, bitmap.height);
    if (long <= MAX_SIDE && file.size <= 4_000_000) return original;
    const scale = Math.min(1, MAX_SIDE / long);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.88));
    if (!blob || blob.size >= file.size) return original;
    return { blob, name: `${(file.name || 'photo').replace(/\.[^.]+$/, '')}.jpg` };
  } finally {
    bitmap.close();
  }
}

interface Item {
  key: number;
  file: File;
  state: 'waiting' | 'sending' | 'failed';
  progress: number;
  error?: string;
}

export function LiveBanner({ connection }: { connection: Connection }) {
  const t = useTranslations('guest');
  if (connection !== 'lost') return null;
  return (
    <p role="alert" className="rounded-xl bg-amber-100 px-4 py-3 text-amber-900">
      {t('reconnecting')}
    </p>
  );
}

/** An upload session on the guest's phone: add photos, watch them go, get the picture. */
export function GuestUpload({
  initial,
  initialPhotos,
  layouts,
}: {
  initial: SessionJson;
  initialPhotos: PhotoJson[];
  /** The event's layouts, offered to choose from once the session is ready. */
  layouts: Layout[];
}) {
  const t = useTranslations('guest');
  const tErr = useTranslations('errors');
  const { session: live, setSession, connection, gone } = useLiveSession(initial.id, initial);
  const session = live ?? initial;
  const photos = useSessionPhotos(session.id, session.photo_count, initialPhotos);
  const [items, setItems] = useState<Item[]>([]);
  const nextKey = useRef(1);
  const busy = useRef(false);

  const add = (files: FileList | null) => {
    if (!files?.length) return;
    const added = [...files].map((file) => ({
      key: nextKey.current++,
      file,
      state: 'waiting' as const,
      progress: 0,
    }));
    setItems((all) => [...all, ...added]);
  };

  const update = useCallback((key: number, patch: Partial<Item>) => {
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...patch } : it)));
  }, []);

  // One photo at a time, in the order chosen: the booth shows them in that order, and a phone on
  // mobile data gives each its full bandwidth.
  useEffect(() => {
    if (busy.current) return;
    const item = items.find((it) => it.state === 'waiting');
    if (!item) return;
    busy.current = true;
    update(item.key, { state: 'sending', progress: 0, error: undefined });
    (async () => {
      try {
        const { blob, name } = await downscale(item.file);
        const r = await uploadPhoto(`/api/session/${session.id}/photos`, blob, name, (f) =>
          update(item.key, { progress: f }),
        );
        setSession(r.session);
        setItems((all) => all.filter((it) => it.key !== item.key));
      } catch (err) {
        update(item.key, { state: 'failed', error: err instanceof ApiFailure ? err.code : 'network_error' });
      } finally {
        busy.current = false;
        // Wake the queue for the next photo.
        setItems((all) => [...all]);
      }
    })();
  }, [items, session.id, setSession, update]);

  if (gone) return <GuestGone reason={gone} alert />;

  const { ready, full, left } = sessionProgress(session);
  const closed = session.status === 'completed' || session.has_result;

  return (
    <>
      <h1 className="text-3xl font-bold">{closed ? t('uploadTitleDone') : t('uploadTitle')}</h1>
      <LiveBanner connection={connection} />
      {session.has_result && <GuestPicture sessionId={session.id} />}
      {!closed && (
        <>
          <p role="status" aria-live="polite" className="text-xl font-semibold">
            {ready
              ? t('countReady', { count: session.photo_count, max: session.max_photos })
              : t('count', { count: session.photo_count, ready: session.ready_at, max: session.max_photos })}
          </p>
          {full ? (
            <p className="rounded-xl bg-neutral-200 px-4 py-3">
              {t('limitReached', { max: session.max_photos })}
            </p>
          ) : (
            <div className="flex flex-col gap-3">
              <label className="flex min-h-16 cursor-pointer items-center justify-center rounded-full bg-neutral-900 px-6 text-xl font-bold text-white focus-within:outline-4 focus-within:outline-amber-500">
                {t('addPhotos')}
                <input
                  type="file"
                  accept="image/*"
                  multiple
                  className="sr-only"
                  onChange={(e) => {
                    add(e.target.files);
                    e.target.value = '';
                  }}
                />
              </label>
              <label className="flex min-h-14 cursor-pointer items-center justify-center rounded-full border-2 border-neutral-900 px-6 text-lg font-semibold focus-within:outline-4 focus-within:outline-amber-500">
                {t('takePhoto')}
                <input
                  type="file"
                  accept="image/*"
                  capture="environment"
                  className="sr-only"
                  onChange={(e) => {
                    add(e.target.files);
                    e.target.value = '';
                  }}
                />
              </label>
              <p className="text-neutral-600">{t('addHint', { left })}</p>
            </div>
          )}
        </>
      )}

      {items.length > 0 && (
        <ul aria-label={t('sendingList')} className="flex flex-col gap-3">
          {items.map((it) => (
            <li key={it.key} className="flex flex-col gap-2 rounded-xl bg-white p-3 shadow">
              <span className="truncate text-sm text-neutral-600">{it.file.name}</span>
              {it.state === 'failed' ? (
                <div className="flex flex-wrap items-center gap-3">
                  <p role="alert" className="flex-1 text-red-700">
                    {tErr(errorKey(it.error ?? 'server_error'))}
                  </p>
                  {isRetryable(it.error ?? '') && !closed && !full && (
                    <Button variant="dark" size="sm" onClick={() => update(it.key, { state: 'waiting' })}>
                      {t('retry')}
                    </Button>
                  )}
                  <button
                    type="button"
                    aria-label={t('dismiss', { name: it.file.name })}
                    onClick={() => setItems((all) => all.filter((x) => x.key !== it.key))}
                    className="min-h-11 rounded-full border border-neutral-400 px-4"
                  >
                    ✕
                  </button>
                </div>
              ) : (
                <div
                  role="progressbar"
                  aria-label={t('progressLabel', { name: it.file.name })}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(it.progress * 100)}
                  className="h-3 overflow-hidden rounded-full bg-neutral-200"
                >
                  <div
                    className="h-full rounded-full bg-emerald-600 transition-[width]"
                    style={{ width: `${it.state === 'waiting' ? 0 : Math.max(4, it.progress * 100)}%` }}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}

      {photos.length > 0 && (
        <section aria-labelledby="sent-title" className="flex flex-col gap-3">
          <h2 id="sent-title" className="text-lg font-semibold">
            {t('sentPhotos')}
          </h2>
          <ul aria-label={t('sentPhotos')} className="grid grid-cols-3 gap-2">
            {photos.map((p, i) => (
              <li key={p.id} className="aspect-square overflow-hidden rounded-lg bg-neutral-200">
                {/* biome-ignore lint/performance/noImgElement: thumbnails served by the API */}
                <img
                  src={p.thumb_url}
                  alt={t('photoN', { n: i + 1 })}
                  className="h-full w-full object-cover"
                />
              </li>
            ))}
          </ul>
        </section>
      )}
      {!closed && ready && <p className="text-neutral-700">{t('readyHint')}</p>}
      {!closed && ready && photos.length > 0 && (
        <LayoutChoice session={session} layouts={layouts} onSession={setSession} />
      )}
      <Countdown until={session.expires_at} className="text-neutral-600" />
    </>
  );
}
