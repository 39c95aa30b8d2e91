'use client';

import { useRouter } from 'next/navigation';
import { useLocale, useTranslations } from 'next-intl';
import { useTransition } from 'react';
import { LOCALE_COOKIE, type Locale } from '@/i18n/locale';

const NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' };

/** Switches between Russian and English; the choice is kept in a cookie on this device. */
export function LocaleSwitch({ className = '' }: { className?: string }) {
  const t = useTranslations('common');
  const locale = useLocale() as Locale;
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const other: Locale = locale === 'ru' ? 'en' : 'ru';
  return (
    <button
      type="button"
      lang={other}
      disabled={pending}
      aria-label={t('switchLanguage', { language: NAMES[other] })}
      className={`rounded-full border border-current px-4 py-2 font-semibold ${className}`}
      onClick={() => {
        // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing on older phones
        document.cookie = `${LOCALE_COOKIE}=${other}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax`;
        startTransition(() => router.refresh());
      }}
    >
      {NAMES[other]}
    </button>
  );
}
