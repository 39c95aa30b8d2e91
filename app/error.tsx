'use client';

import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { Button } from '@/components/button';

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  const t = useTranslations('common');
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <main
      role="alert"
      className="mx-auto flex min-h-dvh max-w-xl flex-col items-center justify-center gap-4 p-8 text-center"
    >
      <h1 className="text-3xl font-bold">{t('errorTitle')}</h1>
      <p className="text-lg text-neutral-700">{t('errorBody')}</p>
      <Button variant="dark" size="page" onClick={reset}>
        {t('tryAgain')}
      </Button>
    </main>
  );
}
