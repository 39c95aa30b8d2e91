'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';

const CODE_LENGTH = 6;
const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

type PairError = { kind: 'wrong' } | { kind: 'tooMany'; minutes: number } | { kind: 'other' };

/** POST /api/booth/pair: true when paired (the cookie is set), else why not. */
async function pair(code: string): Promise<true | PairError> {
  try {
    const res = await fetch('/api/booth/pair', {
      method: 'POST',
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.ok) return true;
    if (res.status === 401) return { kind: 'wrong' };
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after')) || 60;
      return { kind: 'tooMany', minutes: Math.max(1, Math.ceil(seconds / 60)) };
    }
  } catch {
    // No connection: the generic message.
  }
  return { kind: 'other' };
}

/**
 * The 6-digit pairing code typed on a big on-screen pad: no text field is focused, so no system
 * keyboard covers the screen. The 6th digit sends it; `initialCode` (the ?pair= link) is sent at once.
 */
export function PairingPad({ initialCode, onPaired }: { initialCode?: string; onPaired: () => void }) {
  const t = useTranslations('pairing');
  const [digits, setDigits] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PairError | null>(null);
  const sentInitial = useRef(false);

  const submit = useCallback(
    async (code: string) => {
      setBusy(true);
      setError(null);
      const r = await pair(code);
      if (r === true) {
        onPaired();
        return;
      }
      setBusy(false);
      setDigits('');
      setError(r);
    },
    [onPaired],
  );

  useEffect(() => {
    if (!initialCode || sentInitial.current) return;
    sentInitial.current = true;
    void submit(initialCode);
  }, [initialCode, submit]);

  const press = (d: string) => {
    if (busy) return;
    setError(null);
    const next = (digits + d).slice(0, CODE_LENGTH);
    setDigits(next);
    if (next.length === CODE_LENGTH) void submit(next);
  };

  const key =
    'flex min-h-16 items-center justify-center rounded-2xl bg-neutral-800 text-4xl font-bold active:bg-neutral-600 disabled:opacity-50';
  return (
    <div className="flex w-full flex-col items-center gap-4">
      <div className="flex gap-3" data-testid="pair-digits" aria-hidden="true">
        {Array.from({ length: CODE_LENGTH }, (_, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: fixed positions of the code's digits
            key={i}
            className={`flex h-16 w-14 items-center justify-center rounded-xl border-4 text-5xl font-black ${
              i === digits.length && !busy ? 'border-[var(--booth-accent)]' : 'border-neutral-600'
            }`}
          >
            {digits[i] ?? ''}
          </span>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {t('typed', { count: digits.length })}
      </p>
      <div role="status" aria-live="polite" className="min-h-8 text-xl">
        {busy ? (
          <span className="text-neutral-300">{t('pairing')}</span>
        ) : error ? (
          <span role="alert" className="text-red-300">
            {error.kind === 'wrong'
              ? t('wrongCode')
              : error.kind === 'tooMany'
                ? t('tooMany', { minutes: error.minutes })
                : t('failed')}
          </span>
        ) : null}
      </div>
      <div className="grid w-full max-w-md grid-cols-3 gap-3">
        {DIGITS.map((d) => (
          <button key={d} type="button" className={key} disabled={busy} onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button
          type="button"
          className={`${key} text-2xl`}
          disabled={busy}
          onClick={() => {
            setDigits('');
            setError(null);
          }}
        >
          {t('clear')}
        </button>
        <button type="button" className={key} disabled={busy} onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className={key}
          disabled={busy}
          aria-label={t('backspace')}
          onClick={() => setDigits((v) => v.slice(0, -1))}
        >
          ⌫
        </button>
      </div>
    </div>
  );
}
