'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import type { Connection } from '@/components/use-live-session';

function useOnline(): boolean {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

function Banner({ className }: { className: string }) {
  const t = useTranslations('booth');
  return (
    <div role="alert" className={`bg-red-700 px-6 py-3 text-center text-2xl font-semibold ${className}`}>
      {t('connectionLost')}
    </div>
  );
}

/** The booth has no network at all: one banner across the top, on every screen. */
export function OfflineBanner() {
  return useOnline() ? null : <Banner className="" />;
}

/**
 * A screen's live session cannot be reached. While polling still brings the changes the screen is
 * up to date, so nothing is said; when the whole booth is offline the top banner says it already.
 */
export function ConnectionBanner({ connection }: { connection: Connection }) {
  const online = useOnline();
  if (connection !== 'lost' || !online) return null;
  return <Banner className="rounded-2xl" />;
}
