import { useTranslations } from 'next-intl';
import { Notice } from '@/components/notice';
import { GONE_NOTICES, type GoneReason } from '@/lib/shared/notices';

/** The notice for a link that leads nowhere any more: expired, or deleted / never there. */
export function GuestGone({ reason, alert = false }: { reason: GoneReason; alert?: boolean }) {
  const t = useTranslations('guest');
  const notice = GONE_NOTICES[reason];
  return <Notice alert={alert} icon={notice.icon} title={t(notice.title)} body={t(notice.body)} />;
}
