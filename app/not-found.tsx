import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { buttonClass } from '@/components/button';

export default async function NotFound() {
  const t = await getTranslations('common');
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col items-center justify-center gap-4 p-8 text-center">
      <h1 className="text-3xl font-bold">{t('notFoundTitle')}</h1>
      <p className="text-lg text-neutral-700">{t('notFoundBody')}</p>
      <Link href="/" className={buttonClass('dark', 'page')}>
        {t('home')}
      </Link>
    </main>
  );
}
