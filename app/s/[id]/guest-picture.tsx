'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { Button, buttonClass } from '@/components/button';

/** The finished picture with "save" (a real file download) and "share" (Web Share with the file). */
export function GuestPicture({ sessionId }: { sessionId: string }) {
  const t = useTranslations('guest');
  const src = `/api/session/${sessionId}/result`;
  const [canShare, setCanShare] = useState(false);
  const [shareError, setShareError] = useState(false);

  useEffect(() => {
    // Offer "share" only where the phone can share files (feature-tested with a dummy file).
    try {
      const probe = new File([new Uint8Array(1)], 'probe.jpg', { type: 'image/jpeg' });
      setCanShare(typeof navigator.share === 'function' && Boolean(navigator.canShare?.({ files: [probe] })));
    } catch {
      setCanShare(false);
    }
  }, []);

  const share = async () => {
    setShareError(false);
    try {
      const res = await fetch(src);
      const blob = await res.blob();
      const file = new File([blob], 'photobooth-picture.jpg', { type: blob.type || 'image/jpeg' });
      await navigator.share({ files: [file], title: t('shareTitle') });
    } catch (err) {
      if ((err as DOMException)?.name !== 'AbortError') setShareError(true);
    }
  };

  return (
    <section aria-labelledby="picture-title" className="flex flex-col gap-4">
      <h2 id="picture-title" className="text-2xl font-bold">
        {t('pictureReady')}
      </h2>
      {/* biome-ignore lint/performance/noImgElement: the picture is served by the API, sized already */}
      <img src={src} alt={t('pictureAlt')} className="w-full rounded-xl bg-white shadow-lg" />
      <div className="flex flex-wrap gap-3">
        <a href={`${src}?download=1`} download className={buttonClass('dark', 'phone', 'flex-1')}>
          {t('save')}
        </a>
        {canShare && (
          <Button variant="darkOutline" size="phone" onClick={share} className="flex-1">
            {t('share')}
          </Button>
        )}
      </div>
      <p className="text-sm text-neutral-600">{t('saveHint')}</p>
      {shareError && (
        <p role="alert" className="text-red-700">
          {t('shareFailed')}
        </p>
      )}
    </section>
  );
}
