import { createSession, uploadPhoto } from './api';
import { pool } from './util';

/** Photo ingest as the benchmarks drive it (B2, B9): uploads spread over sessions, N in flight. */

/** Upload targets: `uploads` session ids, at most 5 uploads each, consecutive ones to different sessions. */
export async function sessionsFor(base: string, uploads: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < Math.ceil(uploads / 5); i++) ids.push(await createSession(base));
  // Upload i goes to session i % n: at most 5 each, and concurrent uploads spread over sessions.
  return Array.from({ length: uploads }, (_, i) => ids[i % ids.length] as string);
}

/** Uploads `file` once per target with `inFlight` at a time; the wall time and every status. */
export async function uploadAll(
  base: string,
  file: Buffer,
  targets: string[],
  inFlight: number,
): Promise<{ seconds: number; statuses: number[] }> {
  const t0 = performance.now();
  const statuses = await pool(targets, inFlight, async (id) => (await uploadPhoto(base, id, file)).status);
  return { seconds: (performance.now() - t0) / 1000, statuses };
}
