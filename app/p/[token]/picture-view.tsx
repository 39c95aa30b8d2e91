'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { Button, buttonClass } from '@/components/button';
import { LocalTime } from '@/components/local-time';
import { Notice } from '@/components/notice';
import type { PictureJson } from '@/lib/shared/wire';

type ShareMode = 'files' | 'url' | 'copy';

/**
 * The picture big, "save" (a real file download), "share" (Web Share with the file where the
 * phone can, else the link, else copying the link) and "delete my picture".
 */
/** What the page draws: the picture's link, image, size and end of retention, nothing else. */
export type PictureViewJson = Pick<PictureJson, 'url' | 'image_url' | 'width' | 'height' | 'expires_at'>;

export function PictureView({ picture, eventName }: { picture: PictureViewJson; eventName: string }) {
  const t = useTranslations('picture');
  const [shareMode, setShareMode] = useState<ShareMode>('copy');
  const [note, setNote] = useState<'copied' | 'shareFailed' | 'copyFailed' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteFailed, setDeleteFailed] = useState(false);
  const [deleted, setDeleted] = useState(false);

  useEffect(() => {
    // Feature-tested once mounted: the server cannot know what this phone can share.
    try {
      const probe = new File([new Uint8Array(1)], 'probe.jpg', { type: 'image/jpeg' });
      if (typeof navigator.share !== 'function') setShareMode('copy');
      else setShareMode(navigator.canShare?.({ files: [probe] }) ? 'files' : 'url');
    } catch {
      setShareMode(typeof navigator.share === 'function' ? 'url' : 'copy');
    }
  }, []);

  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(picture.url);
      setNote('copied');
    } catch {
      setNote('copyFailed');
    }
  };

  const share = async () => {
    setNote(null);
    if (shareMode === 'copy') return copyLink();
    const text = t('shareText', { event: eventName });
    try {
      if (shareMode === 'files') {
        const res = await fetch(picture.image_url);
        const blob = await res.blob();
        const file = new File([blob], 'photobooth-picture.jpg', { type: blob.type || 'image/jpeg' });
        await navigator.share({ files: [file], title: t('shareTitle'), text });
      } else {
        await navigator.share({ url: picture.url, title: t('shareTitle'), text });
      }
    } catch (err) {
      if ((err as DOMException)?.name !== 'AbortError') setNote('shareFailed');
    }
  };

  const remove = async () => {
    setDeleting(true);
    setDeleteFailed(false);
    try {
      // The API path of this picture (image_url without its /image): same origin as this page.
      const res = await fetch(picture.image_url.replace(/\/image$/, ''), { method: 'DELETE' });
      // 404: it is gone already (another tab, the host): the guest's wish holds either way.
      if (res.status === 204 || res.status === 404) setDeleted(true);
      else setDeleteFailed(true);
    } catch {
      setDeleteFailed(true);
    } finally {
      setDeleting(false);
    }
  };

  if (deleted) return <Notice alert icon="🗑️" title={t('deletedTitle')} body={t('deletedBody')} />;

  return (
    <section aria-labelledby="picture-title" className="flex flex-col gap-5">
      <h1 id="picture-title" className="text-3xl font-bold">
        {t('title')}
      </h1>
      {/* biome-ignore lint/performance/noImgElement: the picture is served by the API, sized already */}
      <img
        src={picture.image_url}
        alt={t('alt')}
        width={picture.width}
        height={picture.height}
        className="h-auto w-full rounded-2xl bg-white shadow-xl ring-1 ring-black/5"
      />
      <div className="flex flex-col gap-3 sm:flex-row">
        <a
          href={`${picture.image_url}?download=1`}
          download
          className={buttonClass('dark', 'phone', 'flex-1')}
        >
          {t('save')}
        </a>
        <Button variant="darkOutline" size="phone" onClick={share} className="flex-1">
          {shareMode === 'copy' ? t('copyLink') : t('share')}
        </Button>
      </div>
      <p className="text-sm text-neutral-600">{t('saveHint')}</p>
      {note && (
        <p
          role={note === 'copied' ? 'status' : 'alert'}
          className={note === 'copied' ? 'text-emerald-700' : 'text-red-700'}
        >
          {t(note)}
        </p>
      )}
      <p className="text-sm text-neutral-600">
        {t('keptUntilLabel')} <LocalTime iso={picture.expires_at} />
      </p>
      <div className="border-t border-neutral-200 pt-5">
        {confirming ? (
          <fieldset className="flex flex-col gap-3">
            <legend className="mb-3 text-base text-neutral-800">{t('deleteConfirm')}</legend>
            <div className="flex flex-col gap-3 sm:flex-row">
              <button
                type="button"
                disabled={deleting}
                onClick={remove}
                className="inline-flex min-h-14 flex-1 items-center justify-center rounded-full bg-red-700 px-6 text-lg font-bold text-white disabled:opacity-50"
              >
                {deleting ? t('deleting') : t('deleteYes')}
              </button>
              <Button
                variant="darkOutline"
                size="phone"
                className="flex-1"
                disabled={deleting}
                onClick={() => setConfirming(false)}
              >
                {t('deleteNo')}
              </Button>
            </div>
          </fieldset>
        ) : (
          <button
            type="button"
            onClick={() => setConfirming(true)}
            className="min-h-11 text-base font-semibold text-red-800 underline underline-offset-4"
          >
            {t('delete')}
          </button>
        )}
        {deleteFailed && (
          <p role="alert" className="mt-3 text-red-700">
            {t('deleteFailed')}
          </p>
        )}
      </div>
    </section>
  );
}
