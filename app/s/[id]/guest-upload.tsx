'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiFailure,
  api,
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
  consentText = null,
}: {
  initial: SessionJson;
  initialPhotos: PhotoJson[];
  /** The event's layouts, offered to choose from once the session is ready. */
  layouts: Layout[];
  /** The event's consent text: accepted before the first photo is sent (null: none asked). */
  consentText?: string | null;
}) {
  const t = useTranslations('guest');
  const tErr = useTranslations('errors');
  const tConsent = useTranslations('consent');
  const [agreed, setAgreed] = useState(false);
  const consentFields = useRef<Record<string, string>>({});
  consentFields.current = consentText && agreed ? { consent: 'yes' } : {};
  const { session: live, setSession, connection, gone } = useLiveSession(initial.id, initial);
  const session = live ?? initial;
  const photos = useSessionPhotos(session.id, session.photo_count, initialPhotos, session.updated_at);
  const [items, setItems] = useState<Item[]>([]);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(() => new Set());
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
    void (async () => {
      try {
        const { blob, name } = await downscale(item.file);
        const r = await uploadPhoto(
          `/api/session/${session.id}/photos`,
          blob,
          name,
          (f) => update(item.key, { progress: f }),
          consentFields.current,
        );
        setSession(r.session);
        setItems((all) => all.filter((it) => it.key !== item.key));
      } catch (err) {
        const code = err instanceof ApiFailure ? err.code : 'network_error';
        // The server asks for consent (the event's text changed meanwhile): ask again.
        if (code === 'consent_required') setAgreed(false);
        update(item.key, { state: 'failed', error: code });
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
  // A photo taken back disappears at once; the session's next change brings the list without it.
  const shown = photos.filter((p) => !removed.has(p.id));

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
          ) : consentText && !agreed ? (
            <section
              aria-labelledby="consent-title"
              className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow"
            >
              <h2 id="consent-title" className="text-lg font-semibold">
                {tConsent('title')}
              </h2>
              <p className="whitespace-pre-line text-neutral-800">{consentText}</p>
              <label className="flex min-h-14 cursor-pointer items-center gap-3 rounded-full border-2 border-neutral-900 px-6 text-lg font-semibold focus-within:outline-4 focus-within:outline-amber-500">
                <input
                  type="checkbox"
                  className="h-6 w-6 accent-neutral-900"
                  checked={agreed}
                  onChange={(e) => setAgreed(e.target.checked)}
                />
                {tConsent('agree')}
              </label>
            </section>
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
                    {it.error === 'consent_required'
                      ? tConsent('required')
                      : tErr(errorKey(it.error ?? 'server_error'))}
                  </p>
                  {(isRetryable(it.error ?? '') || (it.error === 'consent_required' && agreed)) &&
                    !closed &&
                    !full && (
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

      {shown.length > 0 && (
        <section aria-labelledby="sent-title" className="flex flex-col gap-3">
          <h2 id="sent-title" className="text-lg font-semibold">
            {t('sentPhotos')}
          </h2>
          <ul aria-label={t('sentPhotos')} className="grid grid-cols-3 gap-2">
            {shown.map((p, i) => (
              <SentPhoto
                key={p.id}
                photo={p}
                n={i + 1}
                removable={!closed}
                onRemoved={() => setRemoved((all) => new Set(all).add(p.id))}
              />
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

/**
 * One photo at the booth, as a thumbnail; while the session is open, a small "remove" button
 * that asks once more ("Remove this photo?") before it takes the photo back
 * (DELETE /api/session/:id/photos/:photo_id).
 */
function SentPhoto({
  photo,
  n,
  removable,
  onRemoved,
}: {
  photo: PhotoJson;
  n: number;
  removable: boolean;
  onRemoved: () => void;
}) {
  const t = useTranslations('guest');
  const tDel = useTranslations('photoDelete');
  const [asking, setAsking] = useState(false);
  const [state, setState] = useState<'idle' | 'removing' | 'failed'>('idle');

  const remove = async () => {
    setState('removing');
    try {
      await api(`/api/session/${photo.session_id}/photos/${photo.id}`, { method: 'DELETE' });
      onRemoved();
    } catch (err) {
      // Gone already (removed on the booth, or a second tap): that is what was asked.
      if (err instanceof ApiFailure && err.code === 'photo_not_found') onRemoved();
      else setState('failed');
    }
    setAsking(false);
  };

  return (
    <li className="relative aspect-square overflow-hidden rounded-lg bg-neutral-200">
      {/* biome-ignore lint/performance/noImgElement: thumbnails served by the API */}
      <img src={photo.thumb_url} alt={t('photoN', { n })} className="h-full w-full object-cover" />
      {removable && !asking && (
        <button
          type="button"
          aria-label={tDel('remove', { n })}
          onClick={() => {
            setState('idle');
            setAsking(true);
          }}
          className="absolute top-1 right-1 flex h-9 w-9 items-center justify-center rounded-full bg-black/70 text-lg text-white focus:outline-4 focus:outline-amber-500"
        >
          ✕
        </button>
      )}
      {removable && asking && (
        <div className="absolute inset-0 flex flex-col items-center justify-center gap-2 bg-black/75 p-2 text-center text-white">
          <p className="text-sm font-semibold">{tDel('confirm')}</p>
          <div className="flex gap-2">
            <button
              type="button"
              disabled={state === 'removing'}
              onClick={remove}
              className="min-h-9 rounded-full bg-red-600 px-3 text-sm font-bold"
            >
              {tDel('yes')}
            </button>
            <button
              type="button"
              onClick={() => setAsking(false)}
              className="min-h-9 rounded-full border border-white px-3 text-sm"
            >
              {tDel('no')}
            </button>
          </div>
        </div>
      )}
      {state === 'failed' && !asking && (
        <p role="alert" className="absolute inset-x-0 bottom-0 bg-red-700/90 p-1 text-xs text-white">
          {tDel('failed')}
        </p>
      )}
    </li>
  );
}
