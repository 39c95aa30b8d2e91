'use client';

import { useTranslations } from 'next-intl';

function Choice({
  title,
  hint,
  onClick,
  className,
}: {
  title: string;
  hint: string;
  onClick: () => void;
  className: string;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      className={`flex min-h-40 flex-1 basis-96 flex-col items-center justify-center gap-2 rounded-3xl px-8 py-6 text-neutral-950 ${className}`}
    >
      <span className="text-4xl font-bold">{title}</span>
      <span className="text-2xl">{hint}</span>
    </button>
  );
}

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
      {eventName && (
        // The event's own colours, as a banner: the booth around it stays dark for the camera and the QR.
        <p className="rounded-3xl border-b-8 border-[var(--booth-accent)] bg-[var(--booth-bg)] px-10 py-4 text-5xl font-bold text-[var(--booth-text)]">
          {eventName}
        </p>
      )}
      <h1 className="text-7xl font-black tracking-tight">{t('tapToStart')}</h1>
      <div className="flex w-full max-w-5xl flex-wrap justify-center gap-8">
        <Choice
          title={t('choosePhone')}
          hint={t('choosePhoneHint')}
          onClick={onPhone}
          className="bg-amber-400"
        />
        {hasCamera && (
          <Choice
            title={t('chooseCamera')}
            hint={t('chooseCameraHint')}
            onClick={onCamera}
            className="bg-sky-400"
          />
        )}
      </div>
    </section>
  );
}
