'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';

/** Time left until `until` (mm:ss, or h:mm:ss), ticking every second. */
export function formatLeft(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function useNow(intervalMs = 1000): number | null {
  // null until mounted, so the server and the first client render agree.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function Countdown({ until, className }: { until: string; className?: string }) {
  const t = useTranslations('common');
  const now = useNow();
  const left = now === null ? null : new Date(until).getTime() - now;
  return (
    <span className={className}>{t('expiresIn', { time: left === null ? '…' : formatLeft(left) })}</span>
  );
}
