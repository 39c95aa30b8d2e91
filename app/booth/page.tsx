import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { pickMessages } from '@/i18n/messages';
import { getConfig } from '@/lib/config';
import { baseUrlFromHeaders, isLoopbackHost } from '@/lib/links';
import { pageRole } from '@/lib/page-role';
import { atLeast } from '@/lib/roles';
import { BoothApp } from './booth-app';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('booth');
  return { title: t('title') };
}

export default async function BoothPage() {
  await connection();
  const config = getConfig();
  const role = await pageRole();
  // The same rule the API uses for session.url: if it is still a loopback address, phones cannot open it.
  const base = baseUrlFromHeaders(await headers());
  const messages = await pickMessages('common', 'booth', 'errors');
  return (
    <NextIntlClientProvider messages={messages}>
      <BoothApp
        authorized={atLeast(role, 'booth')}
        settings={{
          eventName: config.eventName ?? null,
          wifiSsid: config.wifiSsid ?? null,
          wifiPassword: config.wifiPassword ?? null,
          idleSeconds: config.boothIdleSeconds,
          shots: config.boothShots,
          linkUnreachable: isLoopbackHost(new URL(base).hostname),
        }}
      />
    </NextIntlClientProvider>
  );
}
