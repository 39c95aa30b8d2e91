'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type PhotoJson, type SessionJson } from './api';

/**
 * A session kept up to date: the SSE stream first; when it drops, polling GET /api/session/:id
 * every few seconds while the stream is retried. `connection` tells the page whether to show
 * the "reconnecting" banner; `gone` is set when the session expired or was deleted.
 */
export type Connection = 'live' | 'polling' | 'lost';

const POLL_MS = 3000;
const REOPEN_MS = 10_000;

export function useLiveSession(id: string | null, initial: SessionJson | null) {
  const [session, setSession] = useState<SessionJson | null>(initial);
  const [connection, setConnection] = useState<Connection>('live');
  const [gone, setGone] = useState<'expired' | 'deleted' | null>(
    initial?.status === 'expired' ? 'expired' : null,
  );
  const pollNow = useRef<() => void>(() => {});

  useEffect(() => {
    if (!id) return;
    let stopped = false;
    let es: EventSource | null = null;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let reopenTimer: ReturnType<typeof setTimeout> | undefined;

    const finish = (why: 'expired' | 'deleted') => {
      stopped = true;
      es?.close();
      clearTimeout(pollTimer);
      clearTimeout(reopenTimer);
      setGone(why);
    };

    const poll = async (): Promise<void> => {
      clearTimeout(pollTimer);
      if (stopped) return;
      try {
        const res = await fetch(`/api/session/${id}`, { cache: 'no-store' });
        const body = (await res.json().catch(() => null)) as { session?: SessionJson } | null;
        if (stopped) return;
        if (body?.session) setSession(body.session);
        if (res.status === 404) return finish('deleted');
        if (res.status === 410) return finish('expired');
        setConnection((c) => (c === 'live' ? c : res.ok ? 'polling' : 'lost'));
      } catch {
        if (!stopped) setConnection('lost');
      }
      if (!stopped && !es) pollTimer = setTimeout(poll, POLL_MS);
    };

    const open = () => {
      if (stopped) return;
      const source = new EventSource(`/api/session/${id}/events`);
      es = source;
      source.addEventListener('open', () => {
        setConnection('live');
        clearTimeout(pollTimer);
      });
      source.addEventListener('session', (e) => {
        const next = JSON.parse((e as MessageEvent<string>).data) as SessionJson;
        setSession(next);
        setConnection('live');
      });
      source.addEventListener('gone', () => {
        source.close();
        es = null;
        // One last read says whether it expired (410) or was deleted (404).
        void poll();
      });
      source.onerror = () => {
        source.close();
        if (es === source) es = null;
        if (stopped) return;
        setConnection((c) => (c === 'live' ? 'polling' : c));
        void poll();
        clearTimeout(reopenTimer);
        reopenTimer = setTimeout(open, REOPEN_MS);
      };
    };

    pollNow.current = () => void poll();
    open();
    const onOnline = () => {
      if (!es) {
        void poll();
        open();
      }
    };
    window.addEventListener('online', onOnline);
    return () => {
      stopped = true;
      es?.close();
      clearTimeout(pollTimer);
      clearTimeout(reopenTimer);
      window.removeEventListener('online', onOnline);
    };
  }, [id]);

  const refresh = useCallback(() => pollNow.current(), []);
  return { session, setSession, connection, gone, refresh };
}

/**
 * The uploaded photos of a session, re-read whenever the count changes, and on every session change
 * when `changedAt` (the session's updated_at) is given: a photo taken back while another lands
 * leaves the count as it was, but not the list.
 */
export function useSessionPhotos(
  id: string | null,
  photoCount: number,
  initial: PhotoJson[] = [],
  changedAt?: string,
) {
  const [photos, setPhotos] = useState<PhotoJson[]>(initial);
  // biome-ignore lint/correctness/useExhaustiveDependencies: photoCount and changedAt are the triggers (a photo landed or went)
  useEffect(() => {
    if (!id) {
      setPhotos([]);
      return;
    }
    let cancelled = false;
    api<{ photos: PhotoJson[] }>(`/api/session/${id}/photos?type=uploaded`)
      .then((r) => {
        if (!cancelled) setPhotos(r.photos);
      })
      .catch(() => {
        // The live session shows the count; thumbnails come with the next change.
      });
    return () => {
      cancelled = true;
    };
  }, [id, photoCount, changedAt]);
  return photos;
}
