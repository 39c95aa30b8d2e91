'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, api, errorKey, type SessionJson } from '@/components/api';
import { Button } from '@/components/button';
import { LocaleSwitch } from '@/components/locale-switch';
import { CameraFlow } from './camera-flow';
import { OfflineBanner } from './connection';
import { PhoneFlow } from './phone-flow';
import { ResultScreen } from './result-screen';
import type { BoothScreenProps, BoothSettings } from './screen-props';
import { StartScreen } from './start-screen';
import { TokenPrompt } from './token-prompt';

export type { BoothSettings };

type Screen =
  | { name: 'start' }
  | { name: 'phone' }
  | { name: 'camera' }
  | { name: 'result'; session: SessionJson };

function useWakeLock() {
  useEffect(() => {
    let lock: WakeLockSentinel | null = null;
    const request = async () => {
      try {
        if (document.visibilityState === 'visible' && 'wakeLock' in navigator) {
          lock = await navigator.wakeLock.request('screen');
        }
      } catch {
        // Not allowed (no user gesture yet, or not supported): the screen may dim; nothing breaks.
      }
    };
    void request();
    const onVisible = () => void request();
    document.addEventListener('visibilitychange', onVisible);
    // Browsers may refuse the lock before the first touch: ask again then.
    window.addEventListener('pointerdown', onVisible, { once: true });
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('pointerdown', onVisible);
      void lock?.release().catch(() => {});
    };
  }, []);
}

function FullscreenButton() {
  const t = useTranslations('booth');
  const [supported, setSupported] = useState(false);
  const [active, setActive] = useState(false);
  useEffect(() => {
    setSupported(Boolean(document.fullscreenEnabled));
    const onChange = () => setActive(Boolean(document.fullscreenElement));
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  if (!supported) return null;
  return (
    <Button
      variant="outline"
      size="md"
      onClick={() => {
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
        else void document.documentElement.requestFullscreen().catch(() => {});
      }}
    >
      {active ? t('exitFullscreen') : t('fullscreen')}
    </Button>
  );
}

export function BoothApp({
  authorized: initiallyAuthorized,
  settings,
}: {
  authorized: boolean;
  settings: BoothSettings;
}) {
  const t = useTranslations('booth');
  const tErr = useTranslations('errors');
  const [authorized, setAuthorized] = useState(initiallyAuthorized);
  const [screen, setScreen] = useState<Screen>({ name: 'start' });
  const [hasCamera, setHasCamera] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<SessionJson | null>(null);
  const lastActivity = useRef(Date.now());
  const [pairCode, setPairCode] = useState<string | undefined>();
  useWakeLock();

  // The admin's pairing link, /booth?pair=<code>: pair at once, and take the code out of the address.
  useEffect(() => {
    const url = new URL(window.location.href);
    const code = url.searchParams.get('pair');
    if (code === null) return;
    url.searchParams.delete('pair');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    if (code.trim()) setPairCode(code.trim());
  }, []);

  const activity = useCallback(() => {
    lastActivity.current = Date.now();
  }, []);

  const goStart = useCallback(() => {
    const abandoned = current.current;
    current.current = null;
    // A session left without a picture is closed, so a phone still holding its link is told so.
    if (abandoned && !abandoned.has_result) {
      void api(`/api/session/${abandoned.id}`, { method: 'PUT', body: { status: 'expired' } }).catch(
        () => {},
      );
    }
    setError(null);
    setScreen({ name: 'start' });
  }, []);

  const onFailure = useCallback((err: unknown) => {
    if (err instanceof ApiFailure && err.status === 401) {
      setAuthorized(false);
      return;
    }
    const code = err instanceof ApiFailure ? err.code : 'server_error';
    setError(code);
  }, []);

  useEffect(() => {
    const onTouch = () => activity();
    window.addEventListener('pointerdown', onTouch);
    window.addEventListener('keydown', onTouch);
    return () => {
      window.removeEventListener('pointerdown', onTouch);
      window.removeEventListener('keydown', onTouch);
    };
  }, [activity]);

  // Never stuck: an idle booth goes back to its start screen by itself.
  useEffect(() => {
    if (screen.name === 'start') return;
    const timer = setInterval(() => {
      if (Date.now() - lastActivity.current > settings.idleSeconds * 1000) goStart();
    }, 1000);
    return () => clearInterval(timer);
  }, [screen.name, settings.idleSeconds, goStart]);

  useEffect(() => {
    navigator.mediaDevices
      ?.enumerateDevices()
      .then((devices) => setHasCamera(devices.some((d) => d.kind === 'videoinput')))
      .catch(() => setHasCamera(false));
  }, []);

  const screenProps = {
    settings,
    onSession: (s: SessionJson) => {
      current.current = s;
    },
    onFailure,
    onActivity: activity,
    onResult: (s: SessionJson) => {
      current.current = s;
      activity();
      setScreen({ name: 'result', session: s });
    },
    onCancel: goStart,
  } satisfies BoothScreenProps;

  return (
    <div
      className="flex h-dvh flex-col overflow-hidden bg-neutral-950 text-neutral-50 select-none"
      style={
        {
          '--booth-bg': settings.theme.background,
          '--booth-text': settings.theme.text,
          '--booth-accent': settings.theme.accent,
        } as React.CSSProperties
      }
    >
      <OfflineBanner />
      {error && (
        <div role="alert" className="flex items-center justify-center gap-6 bg-red-800 px-6 py-3 text-2xl">
          <span>{tErr(errorKey(error))}</span>
          <button
            type="button"
            className="min-h-16 rounded-full bg-white px-6 font-semibold text-red-900"
            onClick={goStart}
          >
            {t('startOver')}
          </button>
        </div>
      )}
      <main className="relative min-h-0 flex-1">
        {!authorized || pairCode ? (
          <TokenPrompt
            pairCode={pairCode}
            onBack={authorized ? () => setPairCode(undefined) : undefined}
            onAuthorized={() => {
              setAuthorized(true);
              setPairCode(undefined);
              goStart();
            }}
            // A paired booth acts for its event: reload, so the page brings that event's name and theme.
            onPaired={() => window.location.reload()}
          />
        ) : screen.name === 'start' ? (
          <StartScreen
            eventName={settings.eventName}
            hasCamera={hasCamera}
            onPhone={() => {
              activity();
              setScreen({ name: 'phone' });
            }}
            onCamera={() => {
              activity();
              setScreen({ name: 'camera' });
            }}
          />
        ) : screen.name === 'phone' ? (
          <PhoneFlow {...screenProps} />
        ) : screen.name === 'camera' ? (
          <CameraFlow {...screenProps} />
        ) : (
          <ResultScreen {...screenProps} session={screen.session} onDone={goStart} />
        )}
      </main>
      <footer className="flex items-center justify-end gap-4 px-6 pb-4">
        <LocaleSwitch className="min-h-16 px-6 text-xl" />
        <FullscreenButton />
      </footer>
    </div>
  );
}
