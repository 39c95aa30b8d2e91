import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { getTranslations } from 'next-intl/server';
import { findEvent } from '@/db/queries';
import { ApiError } from '@/lib/errors';
import { countRead, TAKE_HOME_FIRST_OPEN_HEADER } from '@/lib/event-stats';
import { baseUrlFromHeaders } from '@/lib/links';
import { findPicture, isPictureExpired, serializePicture } from '@/lib/pictures';
import { PictureFrame, PictureGone } from './picture-notice';
import { PictureView } from './picture-view';

type Props = { params: Promise<{ token: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('picture');
  // The link is a capability: keep it out of search engines and other sites' referrers.
  return { title: t('metaTitle'), robots: { index: false, follow: false }, referrer: 'no-referrer' };
}

async function loadOrNotFound(token: string) {
  try {
    return await findPicture(token);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'picture_not_found') notFound();
    throw err;
  }
}

/** The take-home page: the picture, save, share, delete my picture. */
export default async function PicturePage({ params }: Props) {
  await connection();
  const { token } = await params;
  const picture = await loadOrNotFound(token);
  // proxy.ts answers an expired picture with 410 before this runs; this covers the moment in between.
  if (isPictureExpired(picture)) return <PictureGone reason="expired" />;
  const requestHeaders = await headers();
  // One open per browser per half hour: the proxy says whether this browser came without its cookie.
  if (requestHeaders.get(TAKE_HOME_FIRST_OPEN_HEADER) === '1')
    await countRead(picture.eventId, 'take_home_opens');
  const t = await getTranslations('picture');
  const eventName = (await findEvent(picture.eventId))?.name || t('brand');
  const json = serializePicture(picture, baseUrlFromHeaders(requestHeaders));
  // Only what the page draws reaches the browser: not the session's id (its own guest link while
  // it lives) nor the picture's or the event's.
  const { url, image_url, width, height, expires_at } = json;
  return (
    <PictureFrame brand={eventName}>
      <PictureView picture={{ url, image_url, width, height, expires_at }} eventName={eventName} />
    </PictureFrame>
  );
}
