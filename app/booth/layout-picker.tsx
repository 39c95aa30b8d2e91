'use client';

import { useTranslations } from 'next-intl';
import { gridShape, LAYOUT_PHOTOS, type Layout } from '@/lib/shared/session';

// Written out whole so Tailwind sees the class names.
const GRID_COLS = { 1: 'grid-cols-1', 2: 'grid-cols-2', 3: 'grid-cols-3' } as const;

function Preview({ layout, images }: { layout: Layout; images: string[] }) {
  const shown = images.slice(0, LAYOUT_PHOTOS[layout]);
  const cells = shown.length ? shown : [''];
  const frame = layout === 'strip' ? 'h-[11vh] w-[7.4vh] grid-cols-1' : 'h-[11vh] w-[16.5vh]';
  const cols = layout === 'grid' ? GRID_COLS[gridShape(cells.length).cols] : '';
  return (
    <span aria-hidden="true" className={`grid gap-1 rounded bg-white p-1 ${frame} ${cols}`}>
      {cells.map((src) =>
        src ? (
          // biome-ignore lint/performance/noImgElement: tiny previews of thumbnails the API already sized
          <img key={src} src={src} alt="" className="h-full min-h-0 w-full object-cover" />
        ) : (
          <span key="empty" className="block h-full w-full bg-neutral-300" />
        ),
      )}
    </span>
  );
}

/**
 * The layout choice among the event's layouts, shown as small previews made of the session's own
 * photos. `chosenOnPhone`: the guest picked `value` on the phone (shown as a note on that card).
 */
export function LayoutPicker({
  value,
  onChange,
  images,
  layouts,
  chosenOnPhone = false,
}: {
  value: Layout;
  onChange: (layout: Layout) => void;
  images: string[];
  layouts: readonly Layout[];
  chosenOnPhone?: boolean;
}) {
  const t = useTranslations('booth');
  const tPhone = useTranslations('phoneLayout');
  return (
    <fieldset className="flex flex-col gap-3">
      <legend className="mb-1 text-2xl font-semibold">{t('layoutLegend')}</legend>
      {chosenOnPhone && (
        <p role="status" className="text-xl font-semibold text-[var(--booth-accent)]">
          {tPhone('chosenOnPhone')}: {t(`layout.${value}`)}
        </p>
      )}
      <div className="flex flex-wrap gap-4">
        {layouts.map((layout) => {
          const checked = value === layout;
          return (
            <label
              key={layout}
              className={`relative flex min-h-16 min-w-16 cursor-pointer flex-col items-center gap-1 rounded-2xl border-4 px-3 py-2 text-xl font-semibold has-[:focus-visible]:outline-4 has-[:focus-visible]:outline-amber-500 ${
                checked ? 'border-amber-400 bg-amber-400/15' : 'border-neutral-600 bg-neutral-800'
              }`}
            >
              <input
                type="radio"
                name="layout"
                value={layout}
                checked={checked}
                onChange={() => onChange(layout)}
                className="sr-only"
              />
              <Preview layout={layout} images={images} />
              {t(`layout.${layout}`)}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
