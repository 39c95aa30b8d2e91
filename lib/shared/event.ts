/**
 * The words and limits of an event, shared by the server's validation (lib/event-rules.ts) and
 * the admin's event form. This folder imports nothing but itself: a browser bundle may take any of it.
 */
import { MAX_TTL_MINUTES, MIN_TTL_MINUTES } from './session';

export const EVENT_LOCALES = ['en', 'ru'] as const;
export type EventLocale = (typeof EVENT_LOCALES)[number];

export interface EventTheme {
  background: string;
  text: string;
  accent: string;
}

export interface EventWifi {
  ssid: string;
  password: string;
}

/** What an event's writable fields may hold (docs/api.md, "Writable fields"). */
export const EVENT_LIMITS = {
  nameMax: 120,
  captionMax: 80,
  consentMax: 2000,
  maxPhotos: 20,
  retentionDaysMax: 365,
  ssidMax: 32,
  passwordMax: 63,
  ttlMinMinutes: MIN_TTL_MINUTES,
  ttlMaxMinutes: MAX_TTL_MINUTES,
} as const;

/** A theme colour: `#rrggbb`. */
export const COLOUR_RE = /^#[0-9a-fA-F]{6}$/;
