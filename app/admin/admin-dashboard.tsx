'use client';

import { useRouter } from 'next/navigation';
import { useFormatter, useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  ApiFailure,
  api,
  type CleanupJson,
  errorKey,
  type PhotoJson,
  type SessionJson,
  type SessionListItemJson,
  type SessionListJson,
  type SessionsChangedJson,
  type StatsJson,
} from '@/components/api';
import { Button, buttonClass } from '@/components/button';
import { formatLeft, useNow } from '@/components/countdown';
import { LocalTime } from '@/components/local-time';
import { LocaleSwitch } from '@/components/locale-switch';
import { EventsPanel } from './events-panel';

type Row = SessionListItemJson;

const TYPES = ['upload', 'download'] as const;
const STATUSES = ['pending', 'ready', 'completed'] as const;
const PAGE_SIZE = 50;
const MAX_PAGE = 200;
const REOPEN_MS = 5000;

/** The list's order: newest first, then by id (as the server pages it). */
function newerFirst(a: Row, b: Row): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Applies a change event to the loaded rows: a changed session that still matches the filters is
 * replaced or, when it falls inside the loaded range, inserted in order; the rest are removed.
 */
function applyChanges(
  rows: Row[],
  change: SessionsChangedJson,
  filter: { type: string; status: string },
  complete: boolean,
): Row[] {
  const current = new Map(change.sessions.map((s) => [s.id, s]));
  const changed = new Set(change.ids);
  const kept = rows.filter((r) => !changed.has(r.id));
  const oldest = rows.at(-1);
  for (const id of change.ids) {
    const s = current.get(id);
    if (!s || (filter.type && s.type !== filter.type) || (filter.status && s.status !== filter.status))
      continue;
    // Beyond the last loaded row it belongs to a page not loaded yet: "more" brings it.
    if (complete || rows.some((r) => r.id === id) || !oldest || newerFirst(s, oldest) <= 0) kept.push(s);
  }
  return kept.sort(newerFirst);
}

/** A size with its unit in the viewer's language ("1.5 MB", "1,5 МБ"). */
function useBytes() {
  const t = useTranslations('admin');
  const format = useFormatter();
  return (bytes: number) => {
    const units = ['b', 'kb', 'mb', 'gb'] as const;
    let v = bytes;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    const size = format.number(v, { maximumFractionDigits: u === 0 ? 0 : 1 });
    return t('size', { size, unit: units[u] ?? 'gb' });
  };
}

/** A filter of the session list: "all" or one value. */
function Filter({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: [value: string, label: string][];
}) {
  const t = useTranslations('admin');
  return (
    <label className="flex flex-col gap-1 text-sm font-semibold">
      {label}
      <select
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="min-h-11 rounded-lg border border-neutral-400 bg-white px-3 font-normal"
      >
        <option value="">{t('all')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function PhotosRow({ session, colSpan }: { session: Row; colSpan: number }) {
  const t = useTranslations('admin');
  const [photos, setPhotos] = useState<PhotoJson[] | null>(null);
  useEffect(() => {
    api<{ photos: PhotoJson[] }>(`/api/session/${session.id}/photos`)
      .then((r) => setPhotos(r.photos))
      .catch(() => setPhotos([]));
  }, [session.id]);
  return (
    <tr>
      <td colSpan={colSpan} className="bg-neutral-50 px-3 py-3">
        {photos === null ? (
          <span role="status">{t('loadingPhotos')}</span>
        ) : photos.length === 0 ? (
          <span>{t('noPhotos')}</span>
        ) : (
          <ul aria-label={t('photosOf', { id: session.id.slice(0, 8) })} className="flex flex-wrap gap-2">
            {photos.map((p) => (
              <li key={p.id}>
                <a href={p.url} target="_blank" rel="noreferrer">
                  {/* biome-ignore lint/performance/noImgElement: thumbnails served by the API */}
                  <img
                    src={p.thumb_url}
                    alt={p.photo_type === 'result' ? t('resultAlt') : t('photoAlt', { n: p.order_index + 1 })}
                    className="h-24 rounded border border-neutral-300 object-cover"
                  />
                </a>
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  );
}

type LoadedData = Map<string, { version: string; text: string }>;

/**
 * `data` is not in the list (up to 16 KiB a session): it is fetched when asked for, and kept for
 * the row (a filter change does not forget it) until the session changes.
 */
function DataCell({ session, loaded, onLoaded }: { session: Row; loaded: LoadedData; onLoaded: () => void }) {
  const t = useTranslations('admin');
  if (!session.has_data) return <>—</>;
  const known = loaded.get(session.id);
  if (known && known.version === session.updated_at) {
    return (
      <span className="block max-w-48 truncate" title={known.text}>
        {known.text}
      </span>
    );
  }
  const remember = (text: string) => {
    loaded.set(session.id, { version: session.updated_at, text });
    onLoaded();
  };
  return (
    <button
      type="button"
      className="min-h-11 underline"
      aria-label={t('showDataLabel', { id: session.id.slice(0, 8) })}
      onClick={() =>
        api<{ session: SessionJson }>(`/api/session/${session.id}`)
          .then((r) => remember(JSON.stringify(r.session.data)))
          .catch(() => remember('—'))
      }
    >
      {t('showData')}
    </button>
  );
}

export function AdminDashboard({
  initialPage,
  initialStats,
}: {
  initialPage: SessionListJson;
  initialStats: StatsJson;
}) {
  const t = useTranslations('admin');
  const tErr = useTranslations('errors');
  const router = useRouter();
  const bytes = useBytes();
  const now = useNow();
  const [sessions, setSessions] = useState<Row[]>(initialPage.sessions);
  const [nextBefore, setNextBefore] = useState<string | null>(initialPage.next_before);
  const [loadingMore, setLoadingMore] = useState(false);
  const [live, setLive] = useState(true);
  const [stats, setStats] = useState(initialStats);
  const [type, setType] = useState<string>('');
  const [status, setStatus] = useState<string>('');
  const [open, setOpen] = useState<string | null>(null);
  const [cleanup, setCleanup] = useState<CleanupJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Row | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const loadedData = useRef<LoadedData>(new Map());
  const [, dataLoaded] = useState(0);
  // What the stream's handlers read: the filters and how far the list is loaded, as they are now.
  const view = useRef({ type, status, loaded: sessions.length, complete: nextBefore === null });
  view.current = { type, status, loaded: sessions.length, complete: nextBefore === null };
  // One reload at a time; a change or filter that lands meanwhile makes it read once more.
  const loading = useRef(false);
  const dirty = useRef(false);

  const onError = useCallback(
    (err: unknown) => {
      if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
        router.refresh();
        return;
      }
      setError(err instanceof ApiFailure ? err.code : 'network_error');
    },
    [router],
  );

  const query = useCallback((extra: Record<string, string>) => {
    const q = new URLSearchParams(extra);
    if (view.current.type) q.set('type', view.current.type);
    if (view.current.status) q.set('status', view.current.status);
    return `/api/sessions/list?${q}`;
  }, []);

  const refreshStats = useCallback(async () => {
    try {
      setStats(await api<StatsJson>('/api/sessions/stats'));
    } catch (err) {
      onError(err);
    }
  }, [onError]);

  /** Re-reads the list from its start, as many rows as are loaded now (at least a page). */
  const reload = useCallback(async () => {
    if (loading.current) {
      dirty.current = true;
      return;
    }
    loading.current = true;
    try {
      do {
        dirty.current = false;
        const limit = Math.min(MAX_PAGE, Math.max(PAGE_SIZE, view.current.loaded));
        const page = await api<SessionListJson>(query({ limit: String(limit) }));
        if (!dirty.current) {
          setSessions(page.sessions);
          setNextBefore(page.next_before);
          setError(null);
        }
      } while (dirty.current);
    } catch (err) {
      onError(err);
    } finally {
      loading.current = false;
    }
  }, [query, onError]);

  const loadMore = async () => {
    if (!nextBefore) return;
    setLoadingMore(true);
    const asked = `${type}|${status}`;
    try {
      const page = await api<SessionListJson>(query({ before: nextBefore }));
      if (asked !== `${view.current.type}|${view.current.status}`) return;
      setSessions((rows) => {
        const have = new Set(rows.map((r) => r.id));
        return [...rows, ...page.sessions.filter((s) => !have.has(s.id))];
      });
      setNextBefore(page.next_before);
    } catch (err) {
      onError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  // A filter change reads the list again from its first page.
  const firstRender = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: type and status are the trigger
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    view.current.loaded = 0;
    void reload();
  }, [type, status, reload]);

  // Live: the server says which sessions changed; no polling. On every (re)connect the list is
  // read again, so nothing that changed while the stream was down is missed.
  useEffect(() => {
    let es: EventSource | null = null;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      const source = new EventSource('/api/sessions/events');
      es = source;
      source.addEventListener('open', () => {
        setLive(true);
        void reload();
        void refreshStats();
      });
      source.addEventListener('changed', (e) => {
        const change = JSON.parse((e as MessageEvent<string>).data) as SessionsChangedJson;
        if (loading.current) dirty.current = true;
        setSessions((rows) => applyChanges(rows, change, view.current, view.current.complete));
        void refreshStats();
      });
      source.addEventListener('reload', () => {
        void reload();
        void refreshStats();
      });
      source.onerror = () => {
        setLive(false);
        // EventSource retries by itself unless the answer was not a stream (401, 403, 5xx).
        if (source.readyState !== EventSource.CLOSED || stopped) return;
        void refreshStats();
        reopen = setTimeout(connect, REOPEN_MS);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(reopen);
      es?.close();
    };
  }, [reload, refreshStats]);

  useEffect(() => {
    if (confirmDelete) dialogRef.current?.showModal();
    else dialogRef.current?.close();
  }, [confirmDelete]);

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      onError(err);
    }
    await refreshStats();
  };
  const removeRow = (id: string) => setSessions((rows) => rows.filter((r) => r.id !== id));

  // A session past its end leaves the table at once (the server sweeps it later).
  const shown = now === null ? sessions : sessions.filter((s) => new Date(s.expires_at).getTime() > now);
  const totals: [string, string][] = [
    [t('activeSessions'), String(stats.active_sessions)],
    [t('photosStored'), String(stats.photos_stored)],
    [t('diskUsed'), bytes(stats.bytes_stored)],
    [t('diskFree'), bytes(stats.disk_free_bytes)],
  ];
  const diskLow = stats.disk_free_bytes < stats.disk_floor_bytes;

  const columns = 9;
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 md:p-8">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-3xl font-bold">{t('title')}</h1>
        <div className="flex items-center gap-3">
          <span role="status" className={live ? 'text-emerald-700' : 'text-amber-700'}>
            {live ? t('live') : t('reconnecting')}
          </span>
          <LocaleSwitch className="min-h-11" />
          <button
            type="button"
            className="min-h-11 rounded-lg border border-neutral-900 px-4 font-semibold"
            onClick={() =>
              act(async () => {
                await api('/api/auth/logout', { method: 'POST' });
                router.refresh();
              })
            }
          >
            {t('logout')}
          </button>
        </div>
      </header>

      <section aria-label={t('totals')} className="grid grid-cols-1 gap-4 sm:grid-cols-4">
        {totals.map(([label, value]) => (
          <div key={label} className="rounded-xl bg-white p-4 shadow">
            <p className="text-sm text-neutral-600">{label}</p>
            <p className="text-3xl font-bold">{value}</p>
          </div>
        ))}
      </section>
      {diskLow && (
        <p role="alert" className="rounded-xl bg-red-100 p-4 font-semibold text-red-900">
          {t('diskLow', { floor: bytes(stats.disk_floor_bytes) })}
        </p>
      )}

      <div className="flex flex-wrap items-end gap-4">
        <Filter
          label={t('filterType')}
          value={type}
          onChange={setType}
          options={TYPES.map((v) => [v, t(`type.${v}`)])}
        />
        <Filter
          label={t('filterStatus')}
          value={status}
          onChange={setStatus}
          options={STATUSES.map((v) => [v, t(`status.${v}`)])}
        />
        <button
          type="button"
          className="ml-auto min-h-11 rounded-lg bg-neutral-900 px-4 font-semibold text-white"
          onClick={() =>
            act(async () => {
              setCleanup(await api<CleanupJson>('/api/sessions/cleanup', { method: 'POST' }));
            })
          }
        >
          {t('cleanup')}
        </button>
      </div>
      {cleanup && (
        <p role="status" className="rounded-lg bg-emerald-100 px-4 py-3 text-emerald-900">
          {t('cleanupDone', {
            sessions: cleanup.deleted_sessions,
            photos: cleanup.deleted_photos,
            size: bytes(cleanup.freed_bytes),
          })}
        </p>
      )}
      {error && (
        <p role="alert" className="rounded-lg bg-red-100 px-4 py-3 text-red-900">
          {tErr(errorKey(error))}
        </p>
      )}

      <div className="overflow-x-auto rounded-xl bg-white shadow">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{t('tableCaption')}</caption>
          <thead className="bg-neutral-200">
            <tr>
              {[
                t('colId'),
                t('colType'),
                t('colStatus'),
                t('colPhotos'),
                t('colResult'),
                t('colCreated'),
                t('colLeft'),
                t('colData'),
                t('colActions'),
              ].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-semibold">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={columns} className="px-3 py-6 text-center text-neutral-600">
                  {t('empty')}
                </td>
              </tr>
            )}
            {shown.flatMap((s) => {
              const short = s.id.slice(0, 8);
              const left = now === null ? null : new Date(s.expires_at).getTime() - now;
              const row = (
                <tr key={s.id} className="border-t border-neutral-200 align-top">
                  <th scope="row" className="px-3 py-2 font-mono font-normal">
                    {short}
                  </th>
                  <td className="px-3 py-2">{t(`type.${s.type}`)}</td>
                  <td className="px-3 py-2">{t(`status.${s.status}`)}</td>
                  <td className="px-3 py-2">{s.photo_count}</td>
                  <td className="px-3 py-2">{s.has_result ? t('yes') : t('no')}</td>
                  <td className="px-3 py-2">
                    <LocalTime iso={s.created_at} />
                  </td>
                  <td className="px-3 py-2 tabular-nums">{left === null ? '…' : formatLeft(left)}</td>
                  <td className="px-3 py-2 font-mono text-xs">
                    <DataCell
                      session={s}
                      loaded={loadedData.current}
                      onLoaded={() => dataLoaded((n) => n + 1)}
                    />
                  </td>
                  <td className="px-3 py-2">
                    <div className="flex flex-wrap gap-2">
                      <a
                        href={`/s/${s.id}`}
                        target="_blank"
                        rel="noreferrer"
                        className={buttonClass('rowAction', 'row')}
                        aria-label={t('openLabel', { id: short })}
                      >
                        {t('open')}
                      </a>
                      <Button
                        variant="rowAction"
                        size="row"
                        aria-expanded={open === s.id}
                        aria-label={t('photosLabel', { id: short })}
                        onClick={() => setOpen(open === s.id ? null : s.id)}
                      >
                        {t('photos')}
                      </Button>
                      <Button
                        variant="rowAction"
                        size="row"
                        aria-label={t('expireLabel', { id: short })}
                        onClick={() =>
                          act(async () => {
                            await api(`/api/session/${s.id}`, { method: 'PUT', body: { status: 'expired' } });
                            removeRow(s.id);
                          })
                        }
                      >
                        {t('expire')}
                      </Button>
                      <Button
                        variant="rowDanger"
                        size="row"
                        aria-label={t('deleteLabel', { id: short })}
                        onClick={() => setConfirmDelete(s)}
                      >
                        {t('delete')}
                      </Button>
                    </div>
                  </td>
                </tr>
              );
              return open === s.id
                ? [row, <PhotosRow key={`${s.id}-photos`} session={s} colSpan={columns} />]
                : [row];
            })}
          </tbody>
        </table>
      </div>
      {nextBefore && (
        <Button
          variant="rowAction"
          size="row"
          className="self-center"
          disabled={loadingMore}
          onClick={loadMore}
        >
          {loadingMore ? t('loadingMore') : t('more')}
        </Button>
      )}

      <EventsPanel />

      <dialog
        ref={dialogRef}
        aria-labelledby="confirm-title"
        onClose={() => setConfirmDelete(null)}
        className="m-auto max-w-md rounded-xl p-6 backdrop:bg-black/50"
      >
        <h2 id="confirm-title" className="text-xl font-bold">
          {t('confirmTitle')}
        </h2>
        <p className="mt-2">{t('confirmBody', { id: confirmDelete?.id.slice(0, 8) ?? '' })}</p>
        <div className="mt-6 flex justify-end gap-3">
          <button
            type="button"
            className="min-h-11 rounded-lg border border-neutral-400 px-4"
            onClick={() => setConfirmDelete(null)}
          >
            {t('cancel')}
          </button>
          <button
            type="button"
            className="min-h-11 rounded-lg bg-red-700 px-4 font-semibold text-white"
            onClick={() => {
              const target = confirmDelete;
              setConfirmDelete(null);
              if (target)
                void act(async () => {
                  await api(`/api/session/${target.id}`, { method: 'DELETE' });
                  removeRow(target.id);
                });
            }}
          >
            {t('confirmDelete')}
          </button>
        </div>
      </dialog>
    </main>
  );
}
