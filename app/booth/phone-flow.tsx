'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useRef, useState } from 'react';
import { api, type PhotoJson, type SessionJson } from '@/components/api';
import { Button } from '@/components/button';
import { Countdown } from '@/components/countdown';
import { QrCode, wifiQrValue } from '@/components/qr-code';
import { TelegramQr } from '@/components/telegram-qr';
import { useLiveSession, useSessionPhotos } from '@/components/use-live-session';
import { type Layout, sessionProgress } from '@/lib/shared/session';
import { ConnectionBanner } from './connection';
import { LayoutPicker } from './layout-picker';
import { MakingOverlay, useMakePicture } from './make-picture';
import { type BoothScreenProps, firstLayout } from './screen-props';

/** Phone → booth: a new upload session, its QR code, and the photos arriving live. */
export function PhoneFlow(props: BoothScreenProps) {
  const t = useTranslations('booth');
  const [session, setSession] = useState<SessionJson | null>(null);
  const started = useRef(false);
  const { onSession, onFailure } = props;

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    api<{ session: SessionJson }>('/api/session/create', { method: 'POST', body: { type: 'upload' } })
      .then((r) => {
        onSession(r.session);
        setSession(r.session);
      })
      .catch(onFailure);
  }, [onSession, onFailure]);

  if (!session) {
    return (
      <div role="status" className="flex h-full items-center justify-center text-4xl">
        {t('preparing')}
      </div>
    );
  }
  return <PhoneWaiting {...props} initial={session} />;
}

function PhoneWaiting(props: BoothScreenProps & { initial: SessionJson }) {
  const { initial, settings, onActivity, onCancel } = props;
  const t = useTranslations('booth');
  const { session: live, connection, gone } = useLiveSession(initial.id, initial);
  const session = live ?? initial;
  const photos: PhotoJson[] = useSessionPhotos(session.id, session.photo_count, [], session.updated_at);
  const [picked, setPicked] = useState<Layout>(() => firstLayout(settings.layouts));
  // The guest's choice on the phone wins when it comes (live, over the stream); a tap here after
  // it overrides it, until the phone chooses again.
  const [boothPickedAfter, setBoothPickedAfter] = useState<string | null>(null);
  const phoneLayout = session.layout && settings.layouts.includes(session.layout) ? session.layout : null;
  const usePhone = phoneLayout !== null && boothPickedAfter !== session.layout;
  const layout = usePhone ? phoneLayout : picked;
  const setLayout = (l: Layout) => {
    setPicked(l);
    setBoothPickedAfter(session.layout);
  };
  const { making, make } = useMakePicture(props);

  // A photo landing or any change by the guest counts as activity.
  // biome-ignore lint/correctness/useExhaustiveDependencies: updated_at is the trigger
  useEffect(() => onActivity(), [session.updated_at, onActivity]);

  useEffect(() => {
    if (gone) onCancel();
  }, [gone, onCancel]);

  const { ready, full } = sessionProgress(session);
  const wifi = settings.wifiSsid ? wifiQrValue(settings.wifiSsid, settings.wifiPassword ?? undefined) : null;
  const shortLink = session.url.replace(/^https?:\/\//, '');

  return (
    <section className="grid h-full grid-cols-[minmax(0,1fr)_minmax(0,1fr)] gap-8 px-10 py-6">
      <div className="flex min-h-0 flex-col items-center justify-center gap-4 text-center">
        <h1 className="text-4xl font-bold">{t('scanTitle')}</h1>
        <div className="flex min-h-0 items-start justify-center gap-6">
          {wifi && (
            <figure className="flex flex-col items-center gap-2">
              <figcaption className="text-2xl font-semibold">
                {t('stepWifi', { ssid: settings.wifiSsid ?? '' })}
              </figcaption>
              <QrCode
                value={wifi}
                label={t('wifiQrLabel', { ssid: settings.wifiSsid ?? '' })}
                fluid="min(24vh, 15vw)"
              />
              {settings.wifiPassword && (
                <p className="text-xl text-neutral-300">
                  {t('wifiPassword', { password: settings.wifiPassword })}
                </p>
              )}
            </figure>
          )}
          <figure className="flex flex-col items-center gap-2">
            {wifi && <figcaption className="text-2xl font-semibold">{t('stepSession')}</figcaption>}
            <QrCode
              value={session.url}
              label={t('sessionQrLabel')}
              fluid={wifi ? 'min(40vh, 23vw)' : 'min(52vh, 38vw)'}
            />
          </figure>
        </div>
        <p className="max-w-full font-mono text-xl break-all text-neutral-200" data-testid="short-link">
          {shortLink}
        </p>
        {settings.linkUnreachable && (
          <p role="alert" className="rounded-xl bg-red-700 px-4 py-2 text-xl font-semibold">
            {t('loopbackWarning')}
          </p>
        )}
        <Countdown until={session.expires_at} className="text-2xl text-neutral-300" />
        <TelegramQr sessionId={session.id} fluid="min(13vh, 9vw)" inline />
      </div>

      <div className="flex min-h-0 flex-col gap-5">
        <ConnectionBanner connection={connection} />
        <p role="status" aria-live="polite" className="text-5xl font-black text-amber-300">
          {ready
            ? t('countReady', { count: session.photo_count, max: session.max_photos })
            : t('count', { count: session.photo_count, ready: session.ready_at, max: session.max_photos })}
        </p>
        {full && <p className="text-2xl text-neutral-300">{t('full')}</p>}
        <ul aria-label={t('photosReceived')} className="grid min-h-0 grid-cols-5 gap-3">
          {photos.map((p, i) => (
            <li key={p.id} className="aspect-square overflow-hidden rounded-xl bg-neutral-800">
              {/* biome-ignore lint/performance/noImgElement: thumbnails served by the API */}
              <img src={p.thumb_url} alt={t('photoN', { n: i + 1 })} className="h-full w-full object-cover" />
            </li>
          ))}
        </ul>
        {photos.length === 0 && <p className="text-2xl text-neutral-400">{t('waitingForPhotos')}</p>}
        <div className="mt-auto flex flex-col gap-5">
          {ready && (
            <LayoutPicker
              value={layout}
              onChange={setLayout}
              images={photos.map((p) => p.thumb_url)}
              layouts={settings.layouts}
              chosenOnPhone={usePhone}
            />
          )}
          <div className="flex gap-4">
            <Button variant="outline" size="lg" onClick={onCancel}>
              {t('cancel')}
            </Button>
            <Button
              variant="primary"
              size="xl"
              disabled={!ready || making}
              onClick={() => make(session.id, layout)}
              className="flex-1"
            >
              {t('makePicture')}
            </Button>
          </div>
        </div>
      </div>
      {making && <MakingOverlay />}
    </section>
  );
}
