import { multipartBody } from './images';
import { boothAuth } from './servers';

/** The few API calls the benchmarks make (same requests to the product and the Flask service). */

export async function createSession(base: string, type: 'upload' | 'download' = 'upload'): Promise<string> {
  const r = await fetch(`${base}/api/session/create`, {
    method: 'POST',
    headers: { ...boothAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ type }),
  });
  if (r.status !== 201) throw new Error(`create session: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { session: { id: string } }).session.id;
}

export interface UploadAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON answer, read loosely by the benchmarks
  json: any;
}

export async function uploadPhoto(
  base: string,
  sessionId: string,
  jpeg: Buffer,
  asBooth = false,
): Promise<UploadAnswer> {
  const { body, contentType } = multipartBody(jpeg);
  const r = await fetch(`${base}/api/session/${sessionId}/photos`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(asBooth ? boothAuth : {}) },
    body: new Uint8Array(body),
  });
  return { status: r.status, json: await readJson(r) };
}

/** A response's body as JSON, or its text when it is not JSON (an error page of a proxy). */
// biome-ignore lint/suspicious/noExplicitAny: JSON answers read loosely
export async function readJson(r: Response): Promise<any> {
  const text = await r.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
