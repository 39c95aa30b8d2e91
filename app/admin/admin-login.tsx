'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { errorKey } from '@/components/api';
import { Button } from '@/components/button';
import { LocaleSwitch } from '@/components/locale-switch';
import { useTokenLogin } from '@/components/use-token-login';

export function AdminLogin() {
  const t = useTranslations('admin');
  const tErr = useTranslations('errors');
  const router = useRouter();
  // A booth token logs in too, but it does not open the admin page: say so.
  const { token, setToken, busy, error, submit } = useTokenLogin((role) => {
    if (role !== 'admin') return 'not_admin';
    router.refresh();
    return undefined;
  });
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 p-6">
      <div className="flex items-center justify-between">
        <h1 className="text-3xl font-bold">{t('loginTitle')}</h1>
        <LocaleSwitch className="min-h-11" />
      </div>
      <form className="flex flex-col gap-4" onSubmit={submit}>
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
        <Button type="submit" variant="dark" size="page" disabled={busy}>
          {t('login')}
        </Button>
      </form>
    </main>
  );
}
