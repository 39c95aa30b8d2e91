'use client';

import { useTranslations } from 'next-intl';
import { useId } from 'react';
import { errorKey } from '@/components/api';
import { Button } from '@/components/button';
import { useTokenLogin } from '@/components/use-token-login';

/** First use on a device: the booth token, once; the login cookie keeps it from then on. */
export function TokenPrompt({ onAuthorized }: { onAuthorized: () => void }) {
  const t = useTranslations('booth');
  const tErr = useTranslations('errors');
  const inputId = useId();
  const { token, setToken, busy, error, submit } = useTokenLogin(() => {
    onAuthorized();
    return undefined;
  });
  return (
    <form
      className="mx-auto flex h-full max-w-3xl flex-col items-center justify-center gap-8 px-8 text-center"
      onSubmit={submit}
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
      <Button type="submit" variant="primary" size="xl" disabled={busy || !token.trim()}>
        {t('tokenSubmit')}
      </Button>
    </form>
  );
}
