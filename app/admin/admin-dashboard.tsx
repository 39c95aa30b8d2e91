'use client';

import { useRouter } from 'next/navigation';
import { useFormatter, useTranslations } from 'next-intl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure, api, errorKey, type PhotoJson, type SessionJson } from '@/components/api';
import { Button, buttonClass } from '@/components/button';
import { formatLeft, useNow } from '@/components/countdown';
import { LocalTime } from '@/components/local-time';
import { LocaleSwitch } from '@/components/locale-switch';

interface Stats {
  active_sessions: number;
  photos_stored: number;
  bytes_stored: number;
}
interface Cleanup {
  deleted_sessions: number;
  deleted_photos: number;
  freed_bytes: number;
}

const TYPES = ['upload', 'download'] as const;
const STATUSES = ['pending', 'ready', 'completed'] as const;
const REFRESH_MS = 3000;

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

function PhotosRow({ session, colSpan }: { session: SessionJson; colSpan: number }) {
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

export function AdminDashboard({
  initialSessions,
  initialStats,
}: {
  initialSessions: SessionJson[];
  initialStats: Stats;
}) {
  const t = useTranslations('admin');
  const tErr = useTranslations('errors');
  const router = useRouter();
  const bytes = useBytes();
  const now = useNow();
  const [sessions, setSessions] = useState(initialSessions);
  const [stats, setStats] = useState(initialStats);
  const [type, setType] = useState<string>('');
  const [status, setStatus] = useState<string>('');
  const [open, setOpen] = useState<string | null>(null);
  const [cleanup, setCleanup] = useState<Cleanup | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<SessionJson | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

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

  const reload = useCallback(async () => {
    const q = new URLSearchParams();
    if (type) q.set('type', type);
    if (status) q.set('status', status);
    try {
      const [list, totals] = await Promise.all([
        api<{ sessions: SessionJson[] }>(`/api/sessions/list?${q}`),
        api<Stats>('/api/sessions/stats'),
      ]);
      setSessions(list.sessions);
      setStats(totals);
      setError(null);
    } catch (err) {
      onError(err);
    }
  }, [type, status, onError]);

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

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
    await reload();
  };

  const columns = 9;
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 md:p-8">
      <header className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-3xl font-bold">{t('title')}</h1>
        <div className="flex items-center gap-3">
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

      <section aria-label={t('totals')} className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        {[
          [t('activeSessions'), String(stats.active_sessions)],
          [t('photosStored'), String(stats.photos_stored)],
          [t('diskUsed'), bytes(stats.bytes_stored)],
        ].map(([label, value]) => (
          <div key={label} className="rounded-xl bg-white p-4 shadow">
            <p className="text-sm text-neutral-600">{label}</p>
            <p className="text-3xl font-bold">{value}</p>
          </div>
        ))}
      </section>

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
              setCleanup(await api<Cleanup>('/api/sessions/cleanup', { method: 'POST' }));
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
            {sessions.length === 0 && (
              <tr>
                <td colSpan={columns} className="px-3 py-6 text-center text-neutral-600">
                  {t('empty')}
                </td>
              </tr>
            )}
            {sessions.flatMap((s) => {
              const short = s.id.slice(0, 8);
              const left = now === null ? null : new Date(s.expires_at).getTime() - now;
              const data = JSON.stringify(s.data);
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
                  <td className="max-w-48 truncate px-3 py-2 font-mono text-xs" title={data}>
                    {data === '{}' ? '—' : data}
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
                          act(() =>
                            api(`/api/session/${s.id}`, { method: 'PUT', body: { status: 'expired' } }),
                          )
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
              if (target) void act(() => api(`/api/session/${target.id}`, { method: 'DELETE' }));
            }}
          >
            {t('confirmDelete')}
          </button>
        </div>
      </dialog>
    </main>
  );
}
