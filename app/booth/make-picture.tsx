'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api, type SessionJson } from '@/components/api';
import type { Layout } from '@/lib/shared/session';
import type { BoothScreenProps } from './screen-props';

/** "Make my picture": composes the session's photos in the chosen layout (the server adds the event's caption). */
export function useMakePicture({ onResult, onFailure }: BoothScreenProps) {
  const [making, setMaking] = useState(false);
  const make = async (sessionId: string, layout: Layout) => {
    setMaking(true);
    try {
      const r = await api<{ session: SessionJson }>(`/api/session/${sessionId}/compose`, {
        method: 'POST',
        body: { layout },
      });
      onResult(r.session);
    } catch (err) {
      setMaking(false);
      onFailure(err);
    }
  };
  return { making, make };
}

export function MakingOverlay() {
  const t = useTranslations('booth');
  return (
    <div
      role="status"
      className="absolute inset-0 z-20 flex flex-col items-center justify-center gap-8 bg-neutral-950/90"
    >
      <span
        aria-hidden="true"
        className="h-24 w-24 animate-spin rounded-full border-8 border-amber-400 border-t-transparent"
      />
      <p className="text-5xl font-bold">{t('making')}</p>
    </div>
  );
}
