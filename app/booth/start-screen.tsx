'use client';

import { useTranslations } from 'next-intl';

export function StartScreen({
  eventName,
  hasCamera,
  onPhone,
  onCamera,
}: {
  eventName: string | null;
  hasCamera: boolean;
  onPhone: () => void;
  onCamera: () => void;
}) {
  const t = useTranslations('booth');
  return (
    <section className="flex h-full flex-col items-center justify-center gap-10 px-10 text-center">
      {eventName && <p className="text-4xl font-semibold text-amber-300">{eventName}</p>}
      <h1 className="text-7xl font-black tracking-tight">{t('tapToStart')}</h1>
      <div className="flex w-full max-w-5xl flex-wrap justify-center gap-8">
        <button
          type="button"
          onClick={onPhone}
          className="flex min-h-40 flex-1 basis-96 flex-col items-center justify-center gap-2 rounded-3xl bg-amber-400 px-8 py-6 text-neutral-950"
        >
          <span className="text-4xl font-bold">{t('choosePhone')}</span>
          <span className="text-2xl">{t('choosePhoneHint')}</span>
        </button>
        {hasCamera && (
          <button
            type="button"
            onClick={onCamera}
            className="flex min-h-40 flex-1 basis-96 flex-col items-center justify-center gap-2 rounded-3xl bg-sky-400 px-8 py-6 text-neutral-950"
          >
            <span className="text-4xl font-bold">{t('chooseCamera')}</span>
            <span className="text-2xl">{t('chooseCameraHint')}</span>
          </button>
        )}
      </div>
    </section>
  );
}
