import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { LocaleSwitch } from '@/components/locale-switch';
import { pickMessages } from '@/i18n/messages';
import { eventOfSession } from '@/lib/sessions';

/** The guest's phone: a light page, large text, only the guest strings sent to the browser. */
export default async function GuestLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ id: string }>;
}) {
  await connection();
  const { id } = await params;
  const t = await getTranslations('guest');
  const messages = await pickMessages('common', 'guest', 'errors', 'phoneLayout', 'consent', 'photoDelete');
  // The name of the session's own event (unknown link: the product's name).
  const eventName = (await eventOfSession(id))?.name ?? null;
  return (
    <NextIntlClientProvider messages={messages}>
      <div className="light-surface min-h-dvh bg-stone-50 text-neutral-900">
        <header className="mx-auto flex max-w-xl items-center justify-between gap-4 px-4 pt-4">
          <p className="text-lg font-semibold text-neutral-600">{eventName ?? t('brand')}</p>
          <LocaleSwitch className="min-h-11 text-base" />
        </header>
        <main className="mx-auto flex max-w-xl flex-col gap-6 px-4 pt-4 pb-16">{children}</main>
      </div>
    </NextIntlClientProvider>
  );
}
