import { createSession, uploadPhoto } from './api';
import { boothAuth } from './servers';
import { openSse, type SseClient } from './sse';
import { pool } from './util';

/**
 * Live latency as the benchmarks measure it (B4, B9): a guest's upload is answered → the booth's
 * SSE stream shows the new photo count. `uploads` uploads one after another over uploads/5
 * sessions, each watched by one booth stream. The uploads go to `uploadBase`, the streams are
 * opened on `streamBase` (the same server, or another instance of a hosted pair).
 */

export interface UploadToEvent {
  /** Answer received → the booth's event (0 when the event came first). */
  afterAnswer: number[];
  /** Request sent → the booth's event: the guest's whole wait. */
  fromSend: number[];
  /** Uploads not answered 201 or without an event within 10 s. */
  bad: number;
  sessions: number;
}

export async function timeUploadsToBooth(opts: {
  uploadBase: string;
  streamBase: string;
  uploads: number;
  jpeg: Buffer;
  /** Streams opened here are pushed onto this list too (the caller closes them on failure). */
  streams?: SseClient[];
}): Promise<UploadToEvent> {
  const { uploadBase, streamBase, uploads, jpeg } = opts;
  const watched = await pool(
    Array.from({ length: Math.ceil(uploads / 5) }, (_, i) => i),
    8,
    async () => await createSession(uploadBase),
  );
  const booths = new Map<string, SseClient>();
  const opened: SseClient[] = [];
  try {
    for (const id of watched) {
      const c = await openSse(`${streamBase}/api/session/${id}/events`, { headers: boothAuth });
      opened.push(c);
      opts.streams?.push(c);
      await c.waitFor((e) => e.event === 'session');
      booths.set(id, c);
    }
    const afterAnswer: number[] = [];
    const fromSend: number[] = [];
    let bad = 0;
    for (let i = 0; i < uploads; i++) {
      const id = watched[i % watched.length] as string;
      const expected = Math.floor(i / watched.length) + 1;
      const booth = booths.get(id) as SseClient;
      const seen = booth.waitFor((e) => e.event === 'session' && e.data?.photo_count >= expected, 10_000);
      const t0 = performance.now();
      const res = await uploadPhoto(uploadBase, id, jpeg);
      const t1 = performance.now();
      if (res.status !== 201) bad++;
      const ev = await seen.catch(() => undefined);
      if (!ev) {
        bad++;
        continue;
      }
      afterAnswer.push(Math.max(0, ev.at - t1));
      fromSend.push(ev.at - t0);
    }
    return { afterAnswer, fromSend, bad, sessions: watched.length };
  } finally {
    if (!opts.streams) for (const c of opened) c.close();
  }
}
