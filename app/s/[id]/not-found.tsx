import { getTranslations } from 'next-intl/server';
import { GuestNotice } from './guest-notice';

export default async function GuestNotFound() {
  const t = await getTranslations('guest');
  return <GuestNotice icon="🔍" title={t('notFoundTitle')} body={t('notFoundBody')} />;
}
