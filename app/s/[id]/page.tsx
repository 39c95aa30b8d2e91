import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { getTranslations } from 'next-intl/server';
import { ApiError } from '@/lib/errors';
import { loadEvent } from '@/lib/event-rules';
import { baseUrlFromHeaders } from '@/lib/links';
import { getPhotos, serializePhoto } from '@/lib/photos';
import { isExpired, loadSession, serializeSession } from '@/lib/sessions';
import { GuestDownload } from './guest-download';
import { GuestGone } from './guest-notice';
import { GuestUpload } from './guest-upload';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('guest');
  // The link is a capability: keep it out of search engines.
  return { title: t('title'), robots: { index: false, follow: false } };
}

async function findSession(id: string) {
  try {
    return await loadSession(id);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'session_not_found') notFound();
    throw err;
  }
}

export default async function GuestPage({ params }: Props) {
  await connection();
  const { id } = await params;
  const session = await findSession(id);
  // proxy.ts answers an expired link with 410 before this runs; this covers the moment in between.
  if (isExpired(session)) return <GuestGone reason="expired" />;
  const json = serializeSession(session, baseUrlFromHeaders(await headers()));
  if (session.type === 'download') return <GuestDownload initial={json} />;
  const photos = (await getPhotos(session.id, 'uploaded')).map(serializePhoto);
  // Of the event, the phone gets only what it shows: its layouts and its consent text.
  const { layouts, consentText } = await loadEvent(session.eventId);
  return (
    <GuestUpload
      initial={json}
      initialPhotos={photos}
      layouts={layouts}
      consentText={consentText?.trim() || null}
    />
  );
}
