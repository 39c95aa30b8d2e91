'use client';

import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api, type SessionJson } from '@/components/api';
import type { Layout } from '@/lib/shared/session';

/** A small drawing of each layout's shape on its card. */
function Shape({ layout }: { layout: Layout }) {
  const cell = 'rounded-sm bg-neutral-400';
  if (layout === 'strip')
    return (
      <span aria-hidden="true" className="grid h-16 w-8 grid-rows-3 gap-1 rounded bg-white p-1 shadow-inner">
        <span className={cell} />
        <span className={cell} />
        <span className={cell} />
      </span>
    );
  if (layout === 'grid')
    return (
      <span aria-hidden="true" className="grid h-12 w-16 grid-cols-2 gap-1 rounded bg-white p-1 shadow-inner">
        <span className={cell} />
        <span className={cell} />
        <span className={cell} />
        <span className={cell} />
      </span>
    );
  return (
    <span aria-hidden="true" className="flex h-12 w-16 rounded bg-white p-1 shadow-inner">
      <span className={`${cell} flex-1`} />
    </span>
  );
}

/**
 * The guest picks the picture's layout on the phone (PUT /api/session/:id/layout: the booth sees
 * it live) and sees the picture it makes from their photos (GET /api/session/:id/preview).
 */
export function LayoutChoice({
  session,
  layouts,
  onSession,
}: {
  session: SessionJson;
  layouts: Layout[];
  onSession: (s: SessionJson) => void;
}) {
  const t = useTranslations('phoneLayout');
  const [tapped, setTapped] = useState<Layout | null>(null);
  const [saveFailed, setSaveFailed] = useState(false);
  const [loaded, setLoaded] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const chosen = tapped ?? session.layout;
  const shown = chosen ?? layouts[0] ?? 'grid';
  // photo_count in the address: a new photo draws a new preview (the answer itself is no-store).
  const src = `/api/session/${session.id}/preview?layout=${shown}&photos=${session.photo_count}`;

  const choose = async (layout: Layout) => {
    setTapped(layout);
    setSaveFailed(false);
    try {
      const r = await api<{ session: SessionJson }>(`/api/session/${session.id}/layout`, {
        method: 'PUT',
        body: { layout },
      });
      onSession(r.session);
      setTapped(null);
    } catch {
      setSaveFailed(true);
    }
  };

  return (
    <section aria-labelledby="layout-title" className="flex flex-col gap-4">
      <h2 id="layout-title" className="text-2xl font-bold">
        {t('legend')}
      </h2>
      <div className="grid grid-cols-3 gap-3">
        {layouts.map((layout) => {
          const on = chosen === layout;
          return (
            <button
              key={layout}
              type="button"
              aria-pressed={on}
              onClick={() => void choose(layout)}
              className={`flex min-h-28 flex-col items-center justify-center gap-2 rounded-2xl border-4 px-2 py-3 text-lg font-bold ${
                on ? 'border-neutral-900 bg-amber-100' : 'border-neutral-300 bg-white'
              }`}
            >
              <Shape layout={layout} />
              {t(`layout.${layout}`)}
            </button>
          );
        })}
      </div>
      {saveFailed && (
        <p role="alert" className="text-red-700">
          {t('saveFailed')}
        </p>
      )}
      <figure className="flex flex-col items-center gap-2">
        {/* biome-ignore lint/performance/noImgElement: a server-rendered preview, already sized */}
        <img
          key={src}
          src={src}
          alt={t('preview')}
          data-testid="layout-preview"
          onLoad={() => setLoaded(src)}
          onError={() => setFailed(src)}
          className={`max-h-[70vh] max-w-full rounded-lg shadow ${loaded === src ? '' : 'opacity-40'}`}
        />
        {failed === src ? (
          <figcaption className="text-neutral-600">{t('previewFailed')}</figcaption>
        ) : loaded !== src ? (
          <figcaption role="status" className="text-neutral-600">
            {t('previewLoading')}
          </figcaption>
        ) : (
          <figcaption className="text-neutral-600">{t('boothMakes')}</figcaption>
        )}
      </figure>
    </section>
  );
}
