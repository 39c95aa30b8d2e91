import { getTranslations } from 'next-intl/server';
import { LocaleSwitch } from '@/components/locale-switch';
import { Notice } from '@/components/notice';

/** A take-home link that leads to no picture (unknown, deleted, or expired): icon, title, what happened. */
export async function PictureGone({ reason }: { reason: 'expired' | 'notFound' }) {
  const t = await getTranslations('picture');
  return (
    <PictureFrame brand={t('brand')}>
      <Notice
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
