import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { buttonClass } from '@/components/button';
import { LocaleSwitch } from '@/components/locale-switch';

export default async function Home() {
  const t = await getTranslations('common');
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col items-center justify-center gap-6 p-8 text-center">
      <h1 className="text-4xl font-bold">{t('appName')}</h1>
      <p className="text-lg text-neutral-700">{t('description')}</p>
      <nav aria-label={t('appName')} className="flex gap-4">
        <Link className={buttonClass('dark', 'page')} href="/booth">
          {t('openBooth')}
        </Link>
        <Link className={buttonClass('darkOutline', 'page')} href="/admin">
          {t('openAdmin')}
        </Link>
      </nav>
      <LocaleSwitch className="min-h-11" />
    </main>
  );
}
