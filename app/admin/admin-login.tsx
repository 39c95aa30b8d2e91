'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { ApiFailure, api, errorKey } from '@/components/api';
import { LocaleSwitch } from '@/components/locale-switch';

export function AdminLogin() {
  const t = useTranslations('admin');
  const tErr = useTranslations('errors');
  const router = useRouter();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 p-6">
      <div className="flex items-center justify-between">
        <h1 className="text-3xl font-bold">{t('loginTitle')}</h1>
        <LocaleSwitch className="min-h-11" />
      </div>
      <form
        className="flex flex-col gap-4"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            const r = await api<{ role: string }>('/api/auth/login', {
              method: 'POST',
              body: { token: token.trim() },
            });
            if (r.role !== 'admin') {
              setError('not_admin');
              return;
            }
            router.refresh();
          } catch (err) {
            setError(err instanceof ApiFailure ? err.code : 'network_error');
          } finally {
            setBusy(false);
          }
        }}
      >
        <label className="flex flex-col gap-2 font-semibold">
          {t('tokenLabel')}
          <input
            type="password"
            autoComplete="current-password"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
            className="min-h-12 rounded-lg border border-neutral-400 bg-white px-3 font-normal"
          />
        </label>
        {error && (
          <p role="alert" className="text-red-700">
            {error === 'not_admin' ? t('notAdmin') : tErr(errorKey(error))}
          </p>
        )}
        <button
          type="submit"
          disabled={busy}
          className="min-h-12 rounded-lg bg-neutral-900 px-6 font-semibold text-white disabled:opacity-50"
        >
          {t('login')}
        </button>
      </form>
    </main>
  );
}
