/**
 * Event statistics as the admin sees them (GET /api/events/:id/stats); shared with the browser.
 * Every count is "since the event was made" and survives the half-hour session sweep.
 */

/** The counters, in the order of the JSON object and of the CSV columns. */
export const EVENT_STAT_FIELDS = [
  'sessions',
  'photos_uploaded',
  'pictures',
  'take_home_opens',
  'downloads',
  'prints',
  'telegram_deliveries',
] as const;
export type EventStatField = (typeof EVENT_STAT_FIELDS)[number];

export interface EventStatsHourJson {
  /** The hour's start, ISO 8601 UTC (e.g. "2026-12-02T18:00:00.000Z"). */
  hour: string;
  sessions: number;
  pictures: number;
}

export type EventStatsJson = Record<EventStatField, number> & { by_hour: EventStatsHourJson[] };
