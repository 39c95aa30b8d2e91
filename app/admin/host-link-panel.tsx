'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';
import { api } from '@/components/api';
import { Button } from '@/components/button';
import { QrCode } from '@/components/qr-code';
import type { HostLinkJson } from '@/lib/gallery';

type Note = 'copied' | 'copyFailed' | 'rotated' | 'rotateFailed' | 'loadFailed';

/**
 * The event's host link in /admin: the URL as text (selectable, with Copy), a QR of it big enough
 * to scan from a laptop screen, Open, and New link (rotate, after a confirm: the old link stops
 * working at once). GET /api/events/:id/host-link makes the link on first sight.
 */
export function HostLinkPanel({ eventId }: { eventId: string }) {
  const t = useTranslations('hostLink');
  const [link, setLink] = useState<HostLinkJson | null>(null);
  const [note, setNote] = useState<Note | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setLink(await api<HostLinkJson>(`/api/events/${eventId}/host-link`));
      setNote(null);
    } catch {
      setNote('loadFailed');
    }
  }, [eventId]);

  useEffect(() => {
    void load();
  }, [load]);

  const copy = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link.url);
      setNote('copied');
    } catch {
      setNote('copyFailed');
    }
  };

  const rotate = async () => {
    if (!window.confirm(t('rotateConfirm'))) return;
    setBusy(true);
    try {
      setLink(await api<HostLinkJson>(`/api/events/${eventId}/host-link`, { method: 'POST' }));
      setNote('rotated');
    } catch {
      setNote('rotateFailed');
    } finally {
      setBusy(false);
    }
  };

  const good = note === 'copied' || note === 'rotated';
  return (
    <section
      aria-labelledby="host-link-title"
      className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow md:p-6"
      data-testid="host-link"
    >
      <h3 id="host-link-title" className="text-xl font-bold">
        {t('title')}
      </h3>
      <p className="text-sm text-neutral-700">{t('intro')}</p>
      {link && (
        <div className="flex flex-col gap-4 md:flex-row md:items-start">
          <div className="flex flex-col items-center gap-1" data-testid="host-link-qr">
            <QrCode value={link.url} label={t('qrAlt')} size={280} />
            <span className="text-xs text-neutral-600">{t('qrHint')}</span>
          </div>
          <div className="flex min-w-0 flex-1 flex-col gap-3">
            <label className="flex flex-col gap-1 text-sm font-medium" htmlFor="host-link-url">
              {t('urlLabel')}
            </label>
            <input
              id="host-link-url"
              readOnly
              value={link.url}
              onFocus={(e) => e.currentTarget.select()}
              className="w-full rounded-lg border border-neutral-300 bg-neutral-50 px-3 py-2 font-mono text-sm"
              data-testid="host-link-url"
            />
            <div className="flex flex-wrap gap-3">
              <Button variant="rowAction" size="row" onClick={() => void copy()}>
                {t('copy')}
              </Button>
              <a
                href={link.url}
                target="_blank"
                rel="noreferrer noopener"
                className="inline-flex min-h-11 items-center rounded-full border border-neutral-500 px-4 font-medium hover:bg-neutral-100"
              >
                {t('open')}
              </a>
              <Button variant="rowDanger" size="row" disabled={busy} onClick={() => void rotate()}>
                {t('rotate')}
              </Button>
            </div>
          </div>
        </div>
      )}
      {note && (
        <p role={good ? 'status' : 'alert'} className={good ? 'text-emerald-700' : 'text-red-700'}>
          {t(note)}
        </p>
      )}
    </section>
  );
}
