import { useTranslations } from 'next-intl';
import { GONE_NOTICES, type GoneReason } from '@/lib/shared/notices';

/**
 * A link that no longer leads to photos (expired, unknown, deleted): an icon, a title, what to do.
 * Plain markup, no hooks, so the server pages and the live client page show the same thing.
 */
export function GuestNotice({
  icon,
  title,
  body,
  alert = false,
}: {
  icon: string;
  title: string;
  body: string;
  /** Announce it: it replaced the page the guest was looking at. */
  alert?: boolean;
}) {
  return (
    <section
      role={alert ? 'alert' : undefined}
      className="flex flex-col items-center gap-4 py-16 text-center"
    >
      <p aria-hidden="true" className="text-6xl">
        {icon}
      </p>
      <h1 className="text-3xl font-bold">{title}</h1>
      <p className="text-lg text-neutral-700">{body}</p>
    </section>
  );
}

/** The notice for a link that leads nowhere any more: expired, or deleted / never there. */
export function GuestGone({ reason, alert = false }: { reason: GoneReason; alert?: boolean }) {
  const t = useTranslations('guest');
  const notice = GONE_NOTICES[reason];
  return <GuestNotice alert={alert} icon={notice.icon} title={t(notice.title)} body={t(notice.body)} />;
}
