'use client';

import { useLocale } from 'next-intl';
import { useEffect, useState } from 'react';

/** A time in the viewer's own time zone; the server renders the ISO string until it mounts. */
export function LocalTime({ iso }: { iso: string }) {
  const locale = useLocale();
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    setText(
      new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)),
    );
  }, [iso, locale]);
  return <time dateTime={iso}>{text ?? iso.slice(11, 16)}</time>;
}
