import { getTranslations } from 'next-intl/server';

export default async function Loading() {
  const t = await getTranslations('common');
  return (
    <div
      role="status"
      className="flex h-dvh items-center justify-center bg-neutral-950 text-4xl text-neutral-50"
    >
      {t('loading')}
    </div>
  );
}
