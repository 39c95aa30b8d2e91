import type { Metadata, Viewport } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import { pickMessages } from '@/i18n/messages';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common');
  return {
    title: { default: t('appName'), template: `%s · ${t('appName')}` },
    description: t('description'),
    referrer: 'no-referrer',
  };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#111827' };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  // The root only carries the shared strings (error and not-found pages); each area adds its own.
  const messages = await pickMessages('common');
  return (
    <html lang={locale}>
      <body className="min-h-dvh bg-neutral-100 text-neutral-900 antialiased">
        <NextIntlClientProvider messages={messages}>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
