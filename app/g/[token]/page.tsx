import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { NextIntlClientProvider } from 'next-intl';
import { getTranslations } from 'next-intl/server';
import { pickMessages } from '@/i18n/messages';
import { ApiError } from '@/lib/errors';
import { galleryPage, loadGallery } from '@/lib/gallery';
import { baseUrlFromHeaders } from '@/lib/links';
import { GALLERY_PAGE } from './gallery-state';
import { GalleryView } from './gallery-view';

type Props = { params: Promise<{ token: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('gallery');
  // The link is a capability: keep it out of search engines and other sites' referrers.
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

/** The host's gallery: the event's pictures newest first, live, with remove and download all. */
export default async function GalleryPage({ params }: Props) {
  await connection();
  const { token } = await params;
  const event = await loadOrNotFound(token);
  const first = await galleryPage(event, baseUrlFromHeaders(await headers()), { limit: GALLERY_PAGE });
  const messages = await pickMessages('common', 'gallery', 'galleryShare', 'slideshow');
  return (
    <NextIntlClientProvider messages={messages}>
      <GalleryView token={token} initial={first} />
    </NextIntlClientProvider>
  );
}
