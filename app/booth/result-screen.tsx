'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { api, type SessionJson } from '@/components/api';
import { Button } from '@/components/button';
import { QrCode } from '@/components/qr-code';
import { TelegramQr } from '@/components/telegram-qr';
import { useLiveSession } from '@/components/use-live-session';
import { ConnectionBanner } from './connection';
import type { BoothScreenProps } from './screen-props';

/** The finished picture, big; a QR code to take it home; "saved on the phone ✓" live; print; done. */
export function ResultScreen({
  session: initial,
  onActivity,
  onDone,
}: BoothScreenProps & { session: SessionJson; onDone: () => void }) {
  const t = useTranslations('booth');
  const { session: live, connection } = useLiveSession(initial.id, initial);
  const session = live ?? initial;
  const saved = session.type === 'download' && session.status === 'completed';
  const src = `/api/session/${session.id}/result`;
  const [portrait, setPortrait] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a status change (the guest saved it) is activity
  useEffect(() => onActivity(), [session.status, onActivity]);

  return (
    <section className="grid h-full grid-cols-[minmax(0,2fr)_minmax(0,1fr)] gap-8 px-10 py-6">
      <div className="flex min-h-0 items-center justify-center">
        {/* biome-ignore lint/performance/noImgElement: the finished picture, served by the API */}
        <img
          src={src}
          alt={t('resultAlt')}
          onLoad={(e) => setPortrait(e.currentTarget.naturalHeight > e.currentTarget.naturalWidth)}
          className="max-h-full max-w-full rounded-2xl bg-white object-contain shadow-2xl"
        />
      </div>
      <div className="flex min-h-0 flex-col items-center justify-center gap-5 text-center">
        <h1 className="text-4xl font-bold">{t('resultTitle')}</h1>
        <ConnectionBanner connection={connection} />
        {session.type === 'upload' && <p className="text-2xl text-amber-200">{t('resultOnPhone')}</p>}
        {/* The take-home link when the event keeps pictures (it outlives the session), else the session's. */}
        <QrCode
          value={session.picture_url ?? session.url}
          label={t('resultQrLabel')}
          fluid="min(32vh, 20vw)"
        />
        {session.type === 'download' && <TelegramQr sessionId={session.id} fluid="min(13vh, 9vw)" inline />}
        <p className="text-2xl">{t('resultScan')}</p>
        {saved && (
          <p role="status" className="rounded-full bg-emerald-600 px-8 py-3 text-3xl font-bold">
            {t('savedOnPhone')}
          </p>
        )}
        <div className="flex gap-4">
          <Button
            variant="outline"
            size="lg"
            onClick={() => {
              // Counted in the event's stats (best effort: printing never waits for it).
              void api(`/api/session/${session.id}/print`, { method: 'POST' }).catch(() => {});
              window.print();
            }}
          >
            {t('print')}
          </Button>
          <Button variant="primary" size="xl" onClick={onDone}>
            {t('done')}
          </Button>
        </div>
      </div>
      {/* Only this prints: the picture on a 6×4" page (4×6" for a strip). */}
      <div className="print-area" data-orientation={portrait ? 'portrait' : 'landscape'}>
        {/* biome-ignore lint/performance/noImgElement: print copy of the picture */}
        <img src={src} alt="" />
      </div>
    </section>
  );
}
