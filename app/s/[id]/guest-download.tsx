'use client';

import { useTranslations } from 'next-intl';
import type { SessionJson } from '@/components/api';
import { Countdown } from '@/components/countdown';
import { useLiveSession } from '@/components/use-live-session';
import { GuestGone } from './guest-notice';
import { GuestPicture } from './guest-picture';
import { LiveBanner } from './guest-upload';

/** A download session: "your picture is being made…" live, then the picture to save. */
export function GuestDownload({ initial }: { initial: SessionJson }) {
  const t = useTranslations('guest');
  const { session: live, connection, gone } = useLiveSession(initial.id, initial);
  const session = live ?? initial;
  if (gone) return <GuestGone reason={gone} alert />;
  return (
    <>
      <h1 className="text-3xl font-bold">
        {session.has_result ? t('downloadTitleReady') : t('downloadTitle')}
      </h1>
      <LiveBanner connection={connection} />
      {session.has_result ? (
        <GuestPicture sessionId={session.id} />
      ) : (
        <div role="status" className="flex items-center gap-4 rounded-2xl bg-white p-6 shadow">
          <span
            aria-hidden="true"
            className="h-10 w-10 animate-spin rounded-full border-4 border-neutral-900 border-t-transparent"
          />
          <p className="text-xl">{t('beingMade')}</p>
        </div>
      )}
      <Countdown until={session.expires_at} className="text-neutral-600" />
    </>
  );
}
