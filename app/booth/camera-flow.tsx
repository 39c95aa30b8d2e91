'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, api, type SessionJson, uploadPhoto } from '@/components/api';
import { Button } from '@/components/button';
import type { Layout } from '@/lib/shared/session';
import { LayoutPicker } from './layout-picker';
import { MakingOverlay, useMakePicture } from './make-picture';
import { type BoothScreenProps, firstLayout } from './screen-props';

interface Shot {
  blob: Blob;
  preview: string;
  state: 'sending' | 'sent' | 'failed';
}

type Phase = 'starting' | 'ready' | 'shooting' | 'review' | 'nocamera';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function captureFrame(video: HTMLVideoElement): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth || 1280;
  canvas.height = video.videoHeight || 720;
  const ctx = canvas.getContext('2d');
  // The preview is mirrored like a mirror; the photo is not, so writing on shirts and signs reads right.
  ctx?.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('capture failed'))), 'image/jpeg', 0.92),
  );
}

/** Camera: live preview, 3-2-1 with a flash, each shot sent to a download session as it is taken. */
export function CameraFlow(props: BoothScreenProps) {
  const { settings, onSession, onFailure, onActivity, onCancel } = props;
  const t = useTranslations('booth');
  const videoRef = useRef<HTMLVideoElement>(null);
  const alive = useRef(true);
  const [phase, setPhase] = useState<Phase>('starting');
  const [count, setCount] = useState<number | null>(null);
  const [flash, setFlash] = useState(false);
  const [shots, setShots] = useState<Shot[]>([]);
  const [session, setSession] = useState<SessionJson | null>(null);
  const [layout, setLayout] = useState<Layout>(() => firstLayout(props.settings.layouts));
  const { making, make } = useMakePicture(props);
  const previews = useRef<string[]>([]);

  // The previews are object URLs: free them when the screen goes (a kiosk runs all day).
  useEffect(
    () => () => {
      for (const url of previews.current) URL.revokeObjectURL(url);
    },
    [],
  );

  useEffect(() => {
    alive.current = true;
    let stream: MediaStream | null = null;
    navigator.mediaDevices
      ?.getUserMedia({
        video: { width: { ideal: 1920 }, height: { ideal: 1080 }, facingMode: 'user' },
        audio: false,
      })
      .then((s) => {
        if (!alive.current) {
          for (const track of s.getTracks()) track.stop();
          return;
        }
        stream = s;
        if (videoRef.current) {
          videoRef.current.srcObject = s;
          void videoRef.current.play().catch(() => {});
        }
        setPhase('ready');
      })
      .catch(() => setPhase('nocamera'));
    if (!navigator.mediaDevices) setPhase('nocamera');
    return () => {
      alive.current = false;
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);

  const send = useCallback(
    (target: SessionJson, index: number, blob: Blob) => {
      setShots((all) => all.map((s, i) => (i === index ? { ...s, state: 'sending' } : s)));
      uploadPhoto(`/api/session/${target.id}/photos`, blob, `shot-${index + 1}.jpg`)
        .then((r) => {
          onSession(r.session);
          setSession(r.session);
          setShots((all) => all.map((s, i) => (i === index ? { ...s, state: 'sent' } : s)));
        })
        .catch((err) => {
          setShots((all) => all.map((s, i) => (i === index ? { ...s, state: 'failed' } : s)));
          if (err instanceof ApiFailure && err.status === 401) onFailure(err);
        });
    },
    [onSession, onFailure],
  );

  const shoot = async () => {
    const video = videoRef.current;
    if (!video) return;
    setPhase('shooting');
    for (const url of previews.current) URL.revokeObjectURL(url);
    previews.current = [];
    setShots([]);
    let target: SessionJson;
    try {
      // A retake starts a new session: the old shots go away with the old one.
      if (session) await api(`/api/session/${session.id}`, { method: 'DELETE' }).catch(() => {});
      target = (
        await api<{ session: SessionJson }>('/api/session/create', {
          method: 'POST',
          body: { type: 'download' },
        })
      ).session;
    } catch (err) {
      setPhase('ready');
      onFailure(err);
      return;
    }
    onSession(target);
    setSession(target);
    for (let i = 0; i < settings.shots; i++) {
      for (let n = 3; n >= 1; n--) {
        if (!alive.current) return;
        setCount(n);
        onActivity();
        await sleep(1000);
      }
      setCount(null);
      setFlash(true);
      let blob: Blob;
      try {
        blob = await captureFrame(video);
      } catch (err) {
        // The camera went away mid-series: let the guest start again instead of a stuck screen.
        setFlash(false);
        setPhase('ready');
        onFailure(err);
        return;
      }
      setTimeout(() => setFlash(false), 250);
      const preview = URL.createObjectURL(blob);
      previews.current.push(preview);
      setShots((all) => [...all, { blob, preview, state: 'sending' }]);
      send(target, i, blob);
      await sleep(600);
    }
    if (alive.current) setPhase('review');
  };

  const allSent = shots.length === settings.shots && shots.every((s) => s.state === 'sent');

  if (phase === 'nocamera') {
    return (
      <section className="flex h-full flex-col items-center justify-center gap-8 text-center">
        <p role="alert" className="text-4xl font-semibold">
          {t('noCamera')}
        </p>
        <Button variant="primary" size="xl" onClick={onCancel}>
          {t('back')}
        </Button>
      </section>
    );
  }

  return (
    <section className="grid h-full grid-cols-[minmax(0,3fr)_minmax(0,2fr)] gap-8 px-10 py-6">
      <div className="relative flex min-h-0 items-center justify-center overflow-hidden rounded-3xl bg-black">
        <video
          ref={videoRef}
          muted
          playsInline
          autoPlay
          aria-label={t('cameraPreview')}
          className="h-full w-full -scale-x-100 object-contain"
        />
        {count !== null && (
          <div
            role="timer"
            aria-live="assertive"
            className="absolute inset-0 flex items-center justify-center"
          >
            <span className="text-[16rem] font-black text-white drop-shadow-[0_0_24px_rgba(0,0,0,0.8)]">
              {count}
            </span>
          </div>
        )}
        {flash && <div aria-hidden="true" className="absolute inset-0 bg-white" />}
      </div>
      <div className="flex min-h-0 flex-col gap-5">
        <h1 className="text-4xl font-bold">{t('cameraTitle')}</h1>
        <p role="status" className="text-3xl font-semibold text-amber-300">
          {t('shotsTaken', { count: shots.length, total: settings.shots })}
        </p>
        <ul aria-label={t('shotsList')} className="grid grid-cols-3 gap-3">
          {shots.map((s, i) => (
            <li key={s.preview} className="relative aspect-video overflow-hidden rounded-xl bg-neutral-800">
              {/* biome-ignore lint/performance/noImgElement: a local preview (object URL) */}
              <img src={s.preview} alt={t('photoN', { n: i + 1 })} className="h-full w-full object-cover" />
              {s.state !== 'sent' && (
                <span className="absolute inset-x-0 bottom-0 bg-black/70 px-2 text-center text-lg">
                  {s.state === 'sending' ? t('sending') : t('sendFailed')}
                </span>
              )}
              {s.state === 'failed' && session && (
                <button
                  type="button"
                  onClick={() => send(session, i, s.blob)}
                  className="absolute inset-0 min-h-16 bg-red-800/70 text-xl font-semibold"
                >
                  {t('retry')}
                </button>
              )}
            </li>
          ))}
        </ul>
        <div className="mt-auto flex flex-col gap-5">
          {phase === 'review' && (
            <LayoutPicker
              value={layout}
              onChange={setLayout}
              images={shots.map((s) => s.preview)}
              layouts={props.settings.layouts}
            />
          )}
          <div className="flex flex-wrap gap-4">
            <Button variant="outline" size="lg" onClick={onCancel} disabled={phase === 'shooting'}>
              {t('cancel')}
            </Button>
            {phase === 'review' ? (
              <>
                <Button variant="cameraOutline" size="lg" onClick={shoot}>
                  {t('retake')}
                </Button>
                <Button
                  variant="primary"
                  size="lg"
                  onClick={() => session && make(session.id, layout)}
                  disabled={!session || !allSent || making}
                  className="flex-1 whitespace-nowrap"
                >
                  {t('makePicture')}
                </Button>
              </>
            ) : (
              <Button
                variant="camera"
                size="xl"
                onClick={shoot}
                disabled={phase !== 'ready'}
                className="flex-1"
              >
                {phase === 'starting' ? t('cameraStarting') : t('startShooting', { count: settings.shots })}
              </Button>
            )}
          </div>
        </div>
      </div>
      {making && <MakingOverlay />}
    </section>
  );
}
