'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { QrCode } from './qr-code';

/**
 * The Telegram deep link of a session as a QR code, beside the web QR on the booth. Asks
 * GET /api/session/:id/telegram (booth role); renders nothing when the bot is not configured
 * (404 telegram_disabled) or the link cannot be had.
 */
export function TelegramQr({ sessionId, size = 200 }: { sessionId: string; size?: number }) {
  const t = useTranslations('booth');
  const [link, setLink] = useState<string | null>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    setLink(null);
    fetch(`/api/session/${encodeURIComponent(sessionId)}/telegram`, {
      credentials: 'same-origin',
      cache: 'no-store',
      signal: ctrl.signal,
    })
      .then((res) => (res.ok ? (res.json() as Promise<{ link?: unknown }>) : null))
      .then((body) => {
        if (typeof body?.link === 'string' && body.link.startsWith('https://t.me/')) setLink(body.link);
      })
      .catch(() => {
        // No Telegram QR is the right fallback: the web QR is still there.
      });
    return () => ctrl.abort();
  }, [sessionId]);

  if (!link) return null;
  return (
    <figure className="flex flex-col items-center gap-2">
      <QrCode value={link} label={t('telegramQrLabel')} size={size} />
      <figcaption className="text-lg font-semibold">{t('telegramTitle')}</figcaption>
    </figure>
  );
}
