import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { DEFAULT_THEME } from '@/db/default-event';
import { pickMessages } from '@/i18n/messages';
import { getConfig } from '@/lib/config';
import { baseUrlFromHeaders, isLoopbackHost } from '@/lib/links';
import { boothEventOf, pageCaller } from '@/lib/page-role';
import { atLeast } from '@/lib/roles';
import { LAYOUTS } from '@/lib/shared/session';
import { BoothApp } from './booth-app';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('booth');
  return { title: t('title') };
}

export default async function BoothPage() {
  await connection();
  const config = getConfig();
  const caller = await pageCaller();
  const role = caller.role;
  // The booth's own event (a paired booth's; BOOTH_TOKEN or not logged in: the default event).
  const event = await boothEventOf(caller);
  // The same rule the API uses for session.url: if it is still a loopback address, phones cannot open it.
  const base = baseUrlFromHeaders(await headers());
  const messages = await pickMessages('common', 'booth', 'errors', 'pairing', 'phoneLayout');
  return (
    <NextIntlClientProvider messages={messages}>
      <BoothApp
        authorized={atLeast(role, 'booth')}
        settings={{
          eventName: event.name,
          wifiSsid: event.wifi?.ssid || null,
          wifiPassword: event.wifi?.password || null,
          theme: { ...DEFAULT_THEME, ...event.theme },
          layouts: event.layouts.length ? event.layouts : [...LAYOUTS],
          idleSeconds: config.boothIdleSeconds,
          shots: config.boothShots,
          linkUnreachable: isLoopbackHost(new URL(base).hostname),
        }}
      />
    </NextIntlClientProvider>
  );
}
