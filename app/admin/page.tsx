import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { pickMessages } from '@/i18n/messages';
import { adminStats } from '@/lib/admin-stats';
import { baseUrlFromHeaders } from '@/lib/links';
import { pageRole } from '@/lib/page-role';
import { listSessionsPage, serializeSessionSummary } from '@/lib/sessions';
import { AdminDashboard } from './admin-dashboard';
import { AdminLogin } from './admin-login';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('admin');
  return { title: t('title'), robots: { index: false } };
}

export default async function AdminPage() {
  await connection();
  const role = await pageRole();
  const messages = await pickMessages(
    'common',
    'admin',
    'adminEvents',
    'adminSlideshow',
    'eventStats',
    'hostLink',
    'errors',
  );
  let body: React.ReactNode;
  if (role !== 'admin') {
    body = <AdminLogin />;
  } else {
    const base = baseUrlFromHeaders(await headers());
    // The first page only, without data: the dashboard pages in the rest and fetches data on demand.
    const page = await listSessionsPage({});
    body = (
      <AdminDashboard
        initialPage={{
          sessions: page.sessions.map((s) => serializeSessionSummary(s, base)),
          next_before: page.nextBefore,
        }}
        initialStats={await adminStats()}
      />
    );
  }
  return (
    <NextIntlClientProvider messages={messages}>
      <div className="light-surface min-h-dvh bg-neutral-100 text-neutral-900">{body}</div>
    </NextIntlClientProvider>
  );
}
