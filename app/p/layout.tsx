import { NextIntlClientProvider } from 'next-intl';
import { pickMessages } from '@/i18n/messages';

/** The take-home page on the guest's phone: light, only the strings it uses sent to the browser. */
export default async function PictureLayout({ children }: { children: React.ReactNode }) {
  const messages = await pickMessages('common', 'picture');
  return (
    <NextIntlClientProvider messages={messages}>
      <div className="light-surface min-h-dvh bg-stone-50 text-neutral-900">{children}</div>
    </NextIntlClientProvider>
  );
}
