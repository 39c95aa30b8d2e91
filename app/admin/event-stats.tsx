'use client';

import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useState } from 'react';
import { api } from '@/components/api';
import { Button } from '@/components/button';
import { EVENT_STAT_FIELDS, type EventStatsHourJson, type EventStatsJson } from '@/lib/shared/event-stats';

const HOUR_MS = 3_600_000;
/** The chart shows at most this many hours (the latest); the CSV has them all. */
const MAX_HOURS = 48;
const REFRESH_MS = 30_000;

/** Every hour from the first counted to the last (at most MAX_HOURS, the latest), gaps as 0. */
export function hourSeries(byHour: EventStatsHourJson[]): EventStatsHourJson[] {
  if (byHour.length === 0) return [];
  const known = new Map(byHour.map((h) => [Date.parse(h.hour), h]));
  const last = Date.parse(byHour[byHour.length - 1]?.hour ?? '');
  const first = Math.max(Date.parse(byHour[0]?.hour ?? ''), last - (MAX_HOURS - 1) * HOUR_MS);
  const out: EventStatsHourJson[] = [];
  for (let t = first; t <= last; t += HOUR_MS) {
    out.push(known.get(t) ?? { hour: new Date(t).toISOString(), sessions: 0, pictures: 0 });
  }
  return out;
}

function HourChart({ hours, label }: { hours: EventStatsHourJson[]; label: string }) {
  const t = useTranslations('eventStats');
  const max = Math.max(1, ...hours.map((h) => Math.max(h.sessions, h.pictures)));
  const slot = 24;
  const bar = 9;
  const height = 120;
  const width = Math.max(hours.length * slot, slot);
  const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="flex flex-col gap-2">
      <div className="overflow-x-auto">
        <svg
          role="img"
          aria-label={label}
          width={width}
          height={height + 20}
          viewBox={`0 0 ${width} ${height + 20}`}
          className="text-neutral-500"
        >
          <line x1={0} y1={height} x2={width} y2={height} stroke="currentColor" strokeWidth={1} />
          <text x={width - 2} y={10} fontSize={10} fill="currentColor" textAnchor="end">
            {t('max', { count: max })}
          </text>
          {hours.map((h, i) => {
            const x = i * slot + 2;
            const hs = (h.sessions / max) * (height - 4);
            const hp = (h.pictures / max) * (height - 4);
            return (
              <g key={h.hour} data-hour={h.hour}>
                <title>
                  {t('hourTooltip', { time: time(h.hour), sessions: h.sessions, pictures: h.pictures })}
                </title>
                <rect x={x} y={height - hs} width={bar} height={hs} className="fill-sky-600" />
                <rect x={x + bar + 1} y={height - hp} width={bar} height={hp} className="fill-amber-500" />
                {(i % 3 === 0 || hours.length <= 8) && (
                  <text x={x} y={height + 14} fontSize={10} fill="currentColor">
                    {time(h.hour).slice(0, 2)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption className="flex gap-4 text-sm text-neutral-600">
        <span className="flex items-center gap-1">
          <span aria-hidden className="inline-block h-3 w-3 bg-sky-600" /> {t('legendSessions')}
        </span>
        <span className="flex items-center gap-1">
          <span aria-hidden className="inline-block h-3 w-3 bg-amber-500" /> {t('legendPictures')}
        </span>
      </figcaption>
    </figure>
  );
}

/** The event's statistics on its editor: the totals, activity per hour, and the CSV export. */
export function EventStats({ eventId }: { eventId: string }) {
  const t = useTranslations('eventStats');
  const [stats, setStats] = useState<EventStatsJson | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await api<{ stats: EventStatsJson }>(`/api/events/${eventId}/stats`);
      setStats(r.stats);
      setFailed(false);
    } catch {
      setFailed(true);
    }
  }, [eventId]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const hours = stats ? hourSeries(stats.by_hour) : [];
  return (
    <section
      aria-labelledby="event-stats-title"
      className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow md:p-6"
      data-testid="event-stats"
    >
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h3 id="event-stats-title" className="text-xl font-bold">
          {t('title')}
        </h3>
        <div className="flex gap-3">
          <Button variant="rowAction" size="row" onClick={() => void load()}>
            {t('refresh')}
          </Button>
          <a
            href={`/api/events/${eventId}/stats?format=csv`}
            download
            className="inline-flex min-h-11 items-center rounded-full border border-neutral-300 px-4 text-sm font-semibold hover:bg-neutral-100"
          >
            {t('csv')}
          </a>
        </div>
      </div>
      {failed && (
        <p role="alert" className="text-red-700">
          {t('failed')}
        </p>
      )}
      {stats && (
        <>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-7">
            {EVENT_STAT_FIELDS.map((f) => (
              <div key={f} className="rounded-lg bg-neutral-100 p-3" data-stat={f}>
                <dt className="text-xs text-neutral-600">{t(`field.${f}`)}</dt>
                <dd className="text-2xl font-bold tabular-nums">{stats[f]}</dd>
              </div>
            ))}
          </dl>
          <h4 className="font-semibold">{t('byHour')}</h4>
          {hours.length === 0 ? (
            <p className="text-neutral-600">{t('noActivity')}</p>
          ) : (
            <>
              <HourChart hours={hours} label={t('chartLabel')} />
              <p className="text-xs text-neutral-600" data-testid="stats-time-zone">
                {t('timeZoneNote', { zone: Intl.DateTimeFormat().resolvedOptions().timeZone })}
              </p>
            </>
          )}
        </>
      )}
    </section>
  );
}
