import { getTranslations } from 'next-intl/server';
import { LocaleSwitch } from '@/components/locale-switch';

/** A take-home link that leads to no picture (unknown, deleted, or expired): icon, title, what happened. */
export async function PictureGone({ reason }: { reason: 'expired' | 'notFound' }) {
  const t = await getTranslations('picture');
  return (
    <PictureFrame brand={t('brand')}>
      <PictureNotice
        icon={reason === 'expired' ? '⌛' : '🔍'}
        title={t(reason === 'expired' ? 'expiredTitle' : 'notFoundTitle')}
        body={t(reason === 'expired' ? 'expiredBody' : 'notFoundBody')}
      />
    </PictureFrame>
  );
}

export function PictureFrame({ brand, children }: { brand: string; children: React.ReactNode }) {
  return (
    <>
      <header className="mx-auto flex max-w-xl items-center justify-between gap-4 px-4 pt-4">
        <p className="truncate text-lg font-semibold text-neutral-600">{brand}</p>
        <LocaleSwitch className="min-h-11 shrink-0 text-base" />
      </header>
      <main className="mx-auto flex max-w-xl flex-col gap-6 px-4 pt-4 pb-16">{children}</main>
    </>
  );
}

export function PictureNotice({
  icon,
  title,
  body,
  alert = false,
}: {
  icon: string;
  title: string;
  body: string;
  alert?: boolean;
}) {
  return (
    <section
      role={alert ? 'alert' : undefined}
      className="flex flex-col items-center gap-4 py-16 text-center"
    >
      <p aria-hidden="true" className="text-6xl">
        {icon}
      </p>
      <h1 className="text-3xl font-bold">{title}</h1>
      <p className="text-lg text-neutral-700">{body}</p>
    </section>
  );
}
