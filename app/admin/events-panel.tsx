'use client';

import { useTranslations } from 'next-intl';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '@/components/api';
import { EVENT_LIMITS } from '@/lib/shared/event';
import { type EventJson, failureMessage } from './admin-events-api';
import { BoothsPanel } from './booths-panel';
import { EventEditor } from './event-editor';
import { EventStats } from './event-stats';
import { HostLinkPanel } from './host-link-panel';
import { ErrorNote, NameForm } from './name-form';

/** The server's order: the default event first, then the newest. */
function ordered(events: EventJson[]): EventJson[] {
  return [...events].sort((a, b) =>
    a.is_default !== b.is_default ? (a.is_default ? -1 : 1) : a.created_at < b.created_at ? 1 : -1,
  );
}

/** Events of the admin: the list, a new one, the editor and the booths of the one selected. */
export function EventsPanel() {
  const t = useTranslations('adminEvents');
  const [events, setEvents] = useState<EventJson[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api<{ events: EventJson[] }>('/api/events');
      setEvents(r.events);
      setSelected((s) => (s && r.events.some((e) => e.id === s) ? s : (r.events[0]?.id ?? null)));
    } catch (err) {
      setError(failureMessage(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ event: EventJson }>('/api/events', { method: 'POST', body: { name: newName } });
      setEvents((all) => ordered([...(all ?? []), r.event]));
      setSelected(r.event.id);
      setNewName('');
    } catch (err) {
      setError(failureMessage(err));
    }
  };

  const current = events?.find((e) => e.id === selected) ?? null;

  return (
    <section aria-labelledby="events-title" className="flex flex-col gap-4">
      <h2 id="events-title" className="text-2xl font-bold">
        {t('title')}
      </h2>
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
        <div className="flex flex-col gap-4">
          <NameForm
            className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow"
            label={t('newEventName')}
            placeholder={t('newEventPlaceholder')}
            action={t('newEvent')}
            maxLength={EVENT_LIMITS.nameMax}
            value={newName}
            onChange={setNewName}
            onSubmit={create}
          />
          <ErrorNote error={error} />
          {events === null ? (
            <p role="status">{t('loading')}</p>
          ) : (
            <nav aria-label={t('listLabel')}>
              <ul className="flex flex-col gap-1">
                {events.map((e) => (
                  <li key={e.id}>
                    <button
                      type="button"
                      aria-current={e.id === selected ? 'true' : undefined}
                      onClick={() => setSelected(e.id)}
                      className={`flex min-h-11 w-full items-center justify-between gap-2 rounded-lg px-3 py-2 text-left ${
                        e.id === selected ? 'bg-neutral-900 text-white' : 'bg-white hover:bg-neutral-50'
                      }`}
                    >
                      <span className="truncate font-semibold">{e.name}</span>
                      {e.is_default && (
                        <span
                          className={`shrink-0 rounded-full px-2 text-xs ${
                            e.id === selected ? 'bg-white/20' : 'bg-neutral-200'
                          }`}
                        >
                          {t('default')}
                        </span>
                      )}
                    </button>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </div>
        {current && (
          <div className="flex flex-col gap-6">
            <section
              aria-labelledby="editor-title"
              className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow md:p-6"
            >
              <h3 id="editor-title" className="text-xl font-bold">
                {t('editorTitle', { name: current.name })}
              </h3>
              <EventEditor
                key={current.id}
                event={current}
                onSaved={(saved) =>
                  setEvents((all) => (all ?? []).map((e) => (e.id === saved.id ? saved : e)))
                }
                onDeleted={(id) => {
                  setEvents((all) => (all ?? []).filter((e) => e.id !== id));
                  setSelected(null);
                  void load();
                }}
              />
            </section>
            <HostLinkPanel key={`host-${current.id}`} eventId={current.id} />
            <BoothsPanel event={current} events={events ?? []} />
            <EventStats key={current.id} eventId={current.id} />
          </div>
        )}
      </div>
    </section>
  );
}
