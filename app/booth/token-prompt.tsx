'use client';

import { useTranslations } from 'next-intl';
import { useId, useState } from 'react';
import { errorKey } from '@/components/api';
import { Button } from '@/components/button';
import { useTokenLogin } from '@/components/use-token-login';
import { PairingPad } from './pairing-pad';

/**
 * A locked booth: pair it with the admin's 6-digit code on a big number pad (or the ?pair= link,
 * `pairCode`), or type the booth token once; the login cookie keeps it from then on.
 */
export function TokenPrompt({
  onAuthorized,
  onPaired,
  pairCode,
  onBack,
}: {
  onAuthorized: () => void;
  onPaired: () => void;
  pairCode?: string;
  /** An unlocked booth that opened a pairing link may go back to its start screen. */
  onBack?: () => void;
}) {
  const t = useTranslations('booth');
  const tPair = useTranslations('pairing');
  const tErr = useTranslations('errors');
  const inputId = useId();
  const padId = useId();
  const [padTapped, setPadOpen] = useState(false);
  const padOpen = padTapped || Boolean(pairCode);
  const { token, setToken, busy, error, submit } = useTokenLogin(() => {
    onAuthorized();
    return undefined;
  });
  return (
    // min-h-full inside the scroller: centred when it fits, scrollable from the top when it does not.
    <div className="h-full overflow-y-auto">
      <div className="mx-auto flex min-h-full max-w-6xl flex-col items-center justify-center gap-6 px-8 py-6 text-center">
        <h1 className="text-4xl font-bold">{t('tokenTitle')}</h1>
        <div
          className={`flex w-full flex-col items-center gap-8 ${padOpen ? 'lg:flex-row lg:items-start' : ''}`}
        >
          <section className="flex w-full flex-1 flex-col items-center gap-4">
            <button
              type="button"
              aria-expanded={padOpen}
              aria-controls={padId}
              onClick={() => setPadOpen(true)}
              className="min-h-16 w-full max-w-md rounded-2xl bg-[var(--booth-accent)] px-6 text-3xl font-bold text-neutral-950"
            >
              {tPair('pairWithCode')}
            </button>
            {padOpen ? (
              <div id={padId} className="flex flex-col items-center gap-3">
                <p className="text-xl text-neutral-300">{tPair('help')}</p>
                <PairingPad initialCode={pairCode} onPaired={onPaired} />
              </div>
            ) : (
              <p className="text-xl text-neutral-400">{tPair('hint')}</p>
            )}
          </section>
          <form
            className={`flex w-full flex-col items-center gap-4 ${
              padOpen ? 'flex-1 lg:self-center' : 'border-t border-neutral-700 pt-6'
            }`}
            onSubmit={submit}
          >
            <p className="text-xl text-neutral-300">{t('tokenHelp')}</p>
            <label htmlFor={inputId} className="sr-only">
              {t('tokenLabel')}
            </label>
            <input
              id={inputId}
              type="password"
              autoComplete="off"
              required
              value={token}
              onChange={(e) => setToken(e.target.value)}
              placeholder={t('tokenLabel')}
              className="min-h-16 w-full rounded-2xl border-2 border-neutral-500 bg-neutral-900 px-6 text-2xl"
            />
            {error && (
              <p role="alert" className="text-2xl text-red-300">
                {tErr(errorKey(error))}
              </p>
            )}
            <Button type="submit" variant="primary" size="lg" disabled={busy || !token.trim()}>
              {t('tokenSubmit')}
            </Button>
          </form>
        </div>
        {onBack && (
          <Button variant="outline" size="lg" onClick={onBack}>
            {tPair('back')}
          </Button>
        )}
      </div>
    </div>
  );
}
