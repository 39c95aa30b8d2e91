import { getTranslations } from 'next-intl/server';

export default async function GuestNotFound() {
  const t = await getTranslations('guest');
  return (
    <section className="flex flex-col items-center gap-4 py-16 text-center">
      <p aria-hidden="true" className="text-6xl">
        🔍
      </p>
      <h1 className="text-3xl font-bold">{t('notFoundTitle')}</h1>
      <p className="text-lg text-neutral-700">{t('notFoundBody')}</p>
    </section>
  );
}
