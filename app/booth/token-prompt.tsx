'use client';

import { useTranslations } from 'next-intl';
import { useId, useState } from 'react';
import { ApiFailure, api, errorKey } from '@/components/api';

/** First use on a device: the booth token, once; the login cookie keeps it from then on. */
export function TokenPrompt({ onAuthorized }: { onAuthorized: () => void }) {
  const t = useTranslations('booth');
  const tErr = useTranslations('errors');
  const inputId = useId();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="mx-auto flex h-full max-w-3xl flex-col items-center justify-center gap-8 px-8 text-center"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await api<{ role: string }>('/api/auth/login', { method: 'POST', body: { token: token.trim() } });
          onAuthorized();
        } catch (err) {
          setError(err instanceof ApiFailure ? err.code : 'network_error');
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1 className="text-5xl font-bold">{t('tokenTitle')}</h1>
      <p className="text-2xl text-neutral-300">{t('tokenHelp')}</p>
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
        className="min-h-20 w-full rounded-2xl border-2 border-neutral-500 bg-neutral-900 px-6 text-3xl"
      />
      {error && (
        <p role="alert" className="text-2xl text-red-300">
          {tErr(errorKey(error))}
        </p>
      )}
      <button
        type="submit"
        disabled={busy || !token.trim()}
        className="min-h-20 rounded-full bg-amber-400 px-12 text-3xl font-bold text-neutral-950 disabled:opacity-50"
      >
        {t('tokenSubmit')}
      </button>
    </form>
  );
}
