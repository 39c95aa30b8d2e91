import { getTranslations } from 'next-intl/server';

export default async function GalleryNotFound() {
  const t = await getTranslations('gallery');
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-3 p-6 text-center">
      <h1 className="text-2xl font-semibold">{t('notFoundTitle')}</h1>
      <p className="text-gray-600">{t('notFoundBody')}</p>
    </main>
  );
}
