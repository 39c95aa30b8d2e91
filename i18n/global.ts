import type en from '@/messages/en.json';
import type { Locale } from './locale';

// Typed translation keys: a missing or misspelt key is a compile error (`npm run typecheck`).
declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: typeof en;
  }
}
