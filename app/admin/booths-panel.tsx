'use client';

import { useTranslations } from 'next-intl';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '@/components/api';
import { Button } from '@/components/button';
import { LocalTime } from '@/components/local-time';
import { QrCode } from '@/components/qr-code';
import { type BoothJson, type EventJson, failureMessage, type PairingJson } from './admin-events-api';
import { ErrorNote, NameForm } from './name-form';

const REFRESH_MS = 10_000;
const inputClass = 'min-h-11 rounded-lg border border-neutral-400 bg-white px-3';

/** A pairing code to type on the booth, with its QR (the booth's camera or a phone reads it). */
function PairingCard({
  booth,
  pairing,
  onClose,
}: {
  booth: string;
  pairing: PairingJson;
  onClose: () => void;
}) {
  const t = useTranslations('adminEvents');
  return (
    <section
      aria-label={t('pairingOf', { name: booth })}
      className="flex flex-wrap items-center gap-6 rounded-xl border-2 border-amber-400 bg-amber-50 p-4"
    >
      <QrCode value={pairing.url} label={t('pairingQr')} size={200} />
      <div className="flex flex-col gap-2">
        <p className="text-sm font-semibold">{t('pairingCode')}</p>
        <p className="font-mono text-6xl font-bold tracking-[0.2em] tabular-nums">{pairing.code}</p>
        <p className="text-sm">
          {t('pairingValid')} <LocalTime iso={pairing.expires_at} />
        </p>
        <p className="max-w-md text-sm text-neutral-600">{t('pairingHint')}</p>
        <Button variant="rowAction" size="row" className="self-start" onClick={onClose}>
          {t('pairingDone')}
        </Button>
      </div>
    </section>
  );
}

function BoothRow({
  booth,
  events,
  pairing,
  onChanged,
  onPairing,
  onError,
}: {
  booth: BoothJson;
  events: EventJson[];
  pairing: PairingJson | undefined;
  onChanged: () => void;
  onPairing: (p: PairingJson | null) => void;
  onError: (message: string | null) => void;
}) {
  const t = useTranslations('adminEvents');
  const [name, setName] = useState(booth.name);
  useEffect(() => setName(booth.name), [booth.name]);

  const act = async (fn: () => Promise<unknown>) => {
    onError(null);
    try {
      await fn();
    } catch (err) {
      onError(failureMessage(err));
    }
    onChanged();
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void act(() => api(`/api/booths/${booth.id}`, { method: 'PUT', body: { name } }));
  };

  return (
    <li className="flex flex-col gap-3 border-t border-neutral-200 py-4 first:border-t-0">
      <div className="flex flex-wrap items-center gap-3">
        <h4 className="text-lg font-bold">{booth.name}</h4>
        <span
          className={`rounded-full px-3 py-1 text-sm font-semibold ${
            booth.online ? 'bg-emerald-100 text-emerald-900' : 'bg-neutral-200 text-neutral-700'
          }`}
        >
          {booth.online ? t('online') : t('offline')}
        </span>
        <span className="text-sm text-neutral-600">
          {t('lastSeen')} {booth.last_seen_at ? <LocalTime iso={booth.last_seen_at} /> : t('never')}
        </span>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <form onSubmit={rename} className="flex items-end gap-2">
          <label className="flex flex-col gap-1 text-sm font-semibold">
            {t('boothName')}
            <input
              className={inputClass}
              value={name}
              maxLength={80}
              onChange={(e) => setName(e.target.value)}
              aria-label={t('renameLabel', { name: booth.name })}
            />
          </label>
          <Button variant="rowAction" size="row" type="submit" disabled={!name.trim() || name === booth.name}>
            {t('rename')}
          </Button>
        </form>
        <label className="flex flex-col gap-1 text-sm font-semibold">
          {t('moveTo')}
          <select
            className={inputClass}
            value={booth.event_id}
            aria-label={t('moveLabel', { name: booth.name })}
            onChange={(e) => {
              const eventId = e.target.value;
              void act(() => api(`/api/booths/${booth.id}`, { method: 'PUT', body: { event_id: eventId } }));
            }}
          >
            {events.map((ev) => (
              <option key={ev.id} value={ev.id}>
                {ev.name}
              </option>
            ))}
          </select>
        </label>
        <Button
          variant="rowAction"
          size="row"
          aria-label={t('repairLabel', { name: booth.name })}
          onClick={() =>
            act(async () => {
              const r = await api<{ pairing: PairingJson }>(`/api/booths/${booth.id}/pairing`, {
                method: 'POST',
              });
              onPairing(r.pairing);
            })
          }
        >
          {t('repair')}
        </Button>
        <Button
          variant="rowDanger"
          size="row"
          aria-label={t('revokeLabel', { name: booth.name })}
          onClick={() => {
            if (!window.confirm(t('revokeConfirm', { name: booth.name }))) return;
            void act(async () => {
              await api(`/api/booths/${booth.id}`, { method: 'DELETE' });
              onPairing(null);
            });
          }}
        >
          {t('revoke')}
        </Button>
      </div>
      {pairing && <PairingCard booth={booth.name} pairing={pairing} onClose={() => onPairing(null)} />}
    </li>
  );
}

/** The booths of one event: online state, pairing, rename, move, revoke. */
export function BoothsPanel({ event, events }: { event: EventJson; events: EventJson[] }) {
  const t = useTranslations('adminEvents');
  const [booths, setBooths] = useState<BoothJson[] | null>(null);
  const [pairings, setPairings] = useState<Record<string, PairingJson>>({});
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api<{ booths: BoothJson[] }>('/api/booths');
      setBooths(r.booths.filter((b) => b.event_id === event.id));
    } catch (err) {
      setError(failureMessage(err));
    }
  }, [event.id]);

  useEffect(() => {
    setBooths(null);
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const setPairing = (id: string, p: PairingJson | null) =>
    setPairings((all) => {
      const next = { ...all };
      if (p) next[id] = p;
      else delete next[id];
      return next;
    });

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ booth: BoothJson; pairing: PairingJson }>(`/api/events/${event.id}/booths`, {
        method: 'POST',
        body: { name: newName },
      });
      setPairing(r.booth.id, r.pairing);
      setNewName('');
    } catch (err) {
      setError(failureMessage(err));
    }
    await load();
  };

  return (
    <section
      aria-labelledby="booths-title"
      className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow md:p-6"
    >
      <h3 id="booths-title" className="text-xl font-bold">
        {t('boothsTitle', { name: event.name })}
      </h3>
      <NameForm
        className="flex flex-wrap items-end gap-2"
        label={t('newBoothName')}
        placeholder={t('newBoothPlaceholder')}
        action={t('addBooth')}
        maxLength={80}
        value={newName}
        onChange={setNewName}
        onSubmit={add}
      />
      <ErrorNote error={error} />
      {booths === null ? (
        <p role="status">{t('boothsLoading')}</p>
      ) : booths.length === 0 ? (
        <p className="text-neutral-600">{t('noBooths')}</p>
      ) : (
        <ul aria-label={t('boothsList')}>
          {booths.map((b) => (
            <BoothRow
              key={b.id}
              booth={b}
              events={events}
              pairing={pairings[b.id]}
              onChanged={load}
              onPairing={(p) => setPairing(b.id, p)}
              onError={setError}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
