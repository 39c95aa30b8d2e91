import { getTranslations } from 'next-intl/server';

/** An expired guest link (the page proxy.ts usually answers first, with HTTP 410). */
export async function ExpiredView() {
  const t = await getTranslations('guest');
  return (
    <section className="flex flex-col items-center gap-4 py-16 text-center">
      <p aria-hidden="true" className="text-6xl">
        ⌛
      </p>
      <h1 className="text-3xl font-bold">{t('expiredTitle')}</h1>
      <p className="text-lg text-neutral-700">{t('expiredBody')}</p>
    </section>
  );
}
