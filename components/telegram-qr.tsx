'use client';

import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { QrCode } from './qr-code';

/**
 * The Telegram deep link of a session as a QR code, beside the web QR on the booth. Asks
 * GET /api/session/:id/telegram (booth role); renders nothing when the bot is not configured
 * (404 telegram_disabled) or the link cannot be had.
 */
export function TelegramQr({
  sessionId,
  size = 200,
  fluid,
  inline = false,
}: {
  sessionId: string;
  size?: number;
  /** A CSS length for the code's edge, as QrCode takes it. */
  fluid?: string;
  /** Caption beside the code instead of under it (for tight screens). */
  inline?: boolean;
}) {
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
    <figure className={`flex items-center gap-3 ${inline ? 'flex-row' : 'flex-col'}`}>
      <QrCode value={link} label={t('telegramQrLabel')} size={size} fluid={fluid} />
      <figcaption className="text-xl font-semibold">{t('telegramTitle')}</figcaption>
    </figure>
  );
}
