import { ADMIN_TOKEN, BOOTH_TOKEN } from './env';

// Method syntax makes the parameter check bivariant, so handlers with typed params fit.
type Handler = {
  handle(request: Request, ctx: { params: Promise<Record<string, string>> }): Promise<Response> | Response;
}['handle'];

export interface CallOptions {
  method?: string;
  path: string;
  params?: Record<string, string>;
  /** 'booth' | 'admin' use the test tokens; any other string is sent as a Bearer token. */
  as?: 'booth' | 'admin' | 'guest' | string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The full URL instead of http://booth.test + path (e.g. an https one). */
  url?: string;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for reading JSON answers
  json: any;
  response: Response;
}

export function buildRequest(opts: CallOptions): Request {
  const headers = new Headers(opts.headers);
  const token = opts.as === 'booth' ? BOOTH_TOKEN : opts.as === 'admin' ? ADMIN_TOKEN : opts.as;
  if (token && token !== 'guest') headers.set('authorization', `Bearer ${token}`);
  let body = opts.body;
  if (opts.json !== undefined) {
    body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  return new Request(opts.url ?? `http://booth.test${opts.path}`, {
    method: opts.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    signal: opts.signal,
    // @ts-expect-error Node's fetch needs this for streamed bodies
    duplex: 'half',
  });
}

/** Calls an exported route handler with a real Request, as Next would. */
export async function call(handler: Handler, opts: CallOptions): Promise<CallResult> {
  const response = await handler(buildRequest(opts), { params: Promise.resolve(opts.params ?? {}) });
  return readResponse(response);
}

export async function readResponse(response: Response): Promise<CallResult> {
  const body = Buffer.from(await response.arrayBuffer());
  let json: unknown;
  if ((response.headers.get('content-type') ?? '').includes('application/json'))
    json = JSON.parse(body.toString());
  return { status: response.status, headers: response.headers, body, json, response };
}

export function photoForm(file: Buffer, name = 'photo.jpg', type = 'image/jpeg', field = 'photo'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(file)], { type }), name);
  return form;
}
