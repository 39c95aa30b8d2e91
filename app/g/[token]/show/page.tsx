import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { z } from 'zod';
import { pickMessages } from '@/i18n/messages';
import { ApiError } from '@/lib/errors';
import { GALLERY_PAGE_MAX, galleryPage, galleryPath, loadGallery } from '@/lib/gallery';
import { baseUrlFromHeaders } from '@/lib/links';
import { DWELL_DEFAULT_S, DWELL_MAX_S, DWELL_MIN_S } from './rotation';
import { SlideshowView } from './slideshow-view';

type Props = { params: Promise<{ token: string }>; searchParams: Promise<Record<string, string | string[]>> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('slideshow');
  // The link is the host's capability: no search engine, no referrer.
  return { title: t('metaTitle'), robots: { index: false, follow: false }, referrer: 'no-referrer' };
}

async function loadOrNotFound(token: string) {
  try {
    return await loadGallery(token);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'gallery_not_found') notFound();
    throw err;
  }
}

/** `?dwell=<seconds>` (2–120): how long each picture stays; anything else is the default. */
const dwellSchema = z.coerce.number().int().min(DWELL_MIN_S).max(DWELL_MAX_S).catch(DWELL_DEFAULT_S);

/**
 * The venue's slideshow of an event (`/g/<token>/show`) for a second screen: the event's newest
 * pictures, cross-fading, new ones next as soon as they are made; a QR of the gallery only when the
 * event's `slideshow_qr` is on.
 */
export default async function SlideshowPage({ params, searchParams }: Props) {
  await connection();
  const { token } = await params;
  const event = await loadOrNotFound(token);
  const base = baseUrlFromHeaders(await headers());
  const first = await galleryPage(event, base, { limit: GALLERY_PAGE_MAX });
  const rawDwell = (await searchParams).dwell;
  const dwellS = dwellSchema.parse(Array.isArray(rawDwell) ? rawDwell[0] : (rawDwell ?? DWELL_DEFAULT_S));
  const messages = await pickMessages('slideshow');
  return (
    <NextIntlClientProvider messages={messages}>
      <SlideshowView
        token={token}
        name={first.event.name}
        theme={first.event.theme}
        initial={first.pictures}
        galleryUrl={event.slideshowQr ? `${base}${galleryPath(token)}` : null}
        dwellMs={dwellS * 1000}
      />
    </NextIntlClientProvider>
  );
}
