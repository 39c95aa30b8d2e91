import { getTranslations } from 'next-intl/server';
import { GuestNotice } from './guest-notice';

/** An expired guest link (the page proxy.ts usually answers first, with HTTP 410). */
export async function ExpiredView() {
  const t = await getTranslations('guest');
  return <GuestNotice icon="⌛" title={t('expiredTitle')} body={t('expiredBody')} />;
}
