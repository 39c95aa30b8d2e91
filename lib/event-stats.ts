import { bumpEventStat, type EventStatColumn, eventStatRows } from '@/db/queries';
import type { EventStatsRow } from '@/db/schema';
import { loadEvent } from './event-rules';
import { EVENT_STAT_FIELDS, type EventStatField, type EventStatsJson } from './shared/event-stats';

/**
 * Event statistics: counted where each thing happens, kept per event and UTC hour in event_stats
 * (db/schema.ts), so they survive the sweep of sessions and photos.
 *
 * - sessions: a session created (lib/sessions.ts, in the insert's transaction);
 * - photos_uploaded: a guest's/booth's/Telegram photo committed (lib/photos.ts, same transaction);
 * - pictures: a take-home picture made (lib/pictures.ts commitPicture; a replaced result updates
 *   its picture and is not counted again);
 * - take_home_opens: a read of a picture by its link, GET /api/pictures/:token and the /p/<token> page
 *   (the page once per browser per half hour: TAKE_HOME_OPENED_COOKIE);
 * - downloads: a 200 answer to GET …/image?download=1 of a picture or GET /api/session/:id/result?download=1;
 * - prints: POST /api/session/:id/print (the booth's Print button);
 * - telegram_deliveries: a result the bot sent to its chat (once per delivered result photo).
 */

/**
 * The take-home page counts one open per browser per picture per half hour: the proxy (proxy.ts)
 * gives the page's answer a cookie scoped to that picture's path, and the page counts only a
 * request that did not carry it (the proxy's TAKE_HOME_FIRST_OPEN_HEADER) (a reload, a back-and-forth between apps, is not another open).
 */
export const TAKE_HOME_OPENED_COOKIE = 'pb_opened';
export const TAKE_HOME_OPEN_WINDOW_S = 30 * 60;
/** Set by the proxy for the page: '1' when the request came without the cookie. */
export const TAKE_HOME_FIRST_OPEN_HEADER = 'x-pb-first-open';

const COLUMN: Record<EventStatField, EventStatColumn> = {
  sessions: 'sessions',
  photos_uploaded: 'photosUploaded',
  pictures: 'pictures',
  take_home_opens: 'takeHomeOpens',
  downloads: 'downloads',
  prints: 'prints',
  telegram_deliveries: 'telegramDeliveries',
};

/** Counts one `field` for the event now (inside a transaction, it commits with it). */
export async function countEvent(
  eventId: string,
  field: EventStatField,
  opts: { at?: Date } = {},
): Promise<void> {
  await bumpEventStat(eventId, COLUMN[field], opts.at ?? new Date(), 1);
}

/**
 * Counts a read (no state change of its own): a counter that cannot be written (the event was
 * deleted a moment ago, the database is busy) never fails the answer the guest is waiting for.
 */
export async function countRead(eventId: string, field: EventStatField): Promise<void> {
  try {
    await countEvent(eventId, field);
  } catch (err) {
    console.warn(`[stats] could not count ${field} of event ${eventId}:`, (err as Error).message);
  }
}

function totals(rows: EventStatsRow[]): Record<EventStatField, number> {
  const out = Object.fromEntries(EVENT_STAT_FIELDS.map((f) => [f, 0])) as Record<EventStatField, number>;
  for (const r of rows) for (const f of EVENT_STAT_FIELDS) out[f] += r[COLUMN[f]];
  return out;
}

/** The stats of an event (404 event_not_found). by_hour: the hours something was counted, oldest first. */
export async function eventStatsOf(
  eventId: string,
): Promise<{ json: EventStatsJson; rows: EventStatsRow[] }> {
  const event = await loadEvent(eventId);
  const rows = await eventStatRows(event.id);
  const json: EventStatsJson = {
    ...totals(rows),
    by_hour: rows
      .filter((r) => r.sessions > 0 || r.pictures > 0)
      .map((r) => ({ hour: new Date(r.hour).toISOString(), sessions: r.sessions, pictures: r.pictures })),
  };
  return { json, rows };
}

/**
 * The CSV export: a header row `hour,<every counter>`, then one row `total,…` with the totals, then
 * one row per hour in which anything was counted (hour as ISO 8601 UTC), oldest first. CRLF line
 * ends (RFC 4180); nothing needs quoting (numbers and ISO dates only).
 */
export async function eventStatsCsv(eventId: string): Promise<string> {
  const { json, rows } = await eventStatsOf(eventId);
  const lines = [
    ['hour', ...EVENT_STAT_FIELDS].join(','),
    ['total', ...EVENT_STAT_FIELDS.map((f) => json[f])].join(','),
    ...rows.map((r) =>
      [new Date(r.hour).toISOString(), ...EVENT_STAT_FIELDS.map((f) => r[COLUMN[f]])].join(','),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** A download counts when the bytes were sent as an attachment: a GET with ?download=1 answered 200. */
export async function countDownload(
  eventId: string,
  request: Request,
  response: Response,
  download: boolean,
): Promise<void> {
  if (download && request.method === 'GET' && response.status === 200) await countRead(eventId, 'downloads');
}
