import http from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';

/**
 * A stand-in for the Telegram Bot API on 127.0.0.1, following its documented HTTP contract:
 * POST /bot<token>/<method> with a JSON or multipart body answers {"ok": true, "result": …} or
 * {"ok": false, "error_code", "description", "parameters"?}; GET /file/bot<token>/<file_path>
 * serves files that getFile described. getUpdates long-polls until an update is queued.
 * Tests queue updates, register files, inject failures, and read what the bot called.
 */

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  files: Record<string, { filename: string; bytes: Buffer }>;
  /** The HTTP status this stand-in answered with. */
  status: number;
}

export interface Failure {
  /** 0: the connection is dropped without an answer (a network error). */
  status: number;
  retryAfter?: number;
  description?: string;
}

interface StoredFile {
  fileId: string;
  filePath: string;
  bytes: Buffer;
  /** Overrides the size getFile reports (to simulate files above the download limit). */
  reportedSize?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: updates are plain JSON built by the tests
type Update = Record<string, any> & { update_id: number };

export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  readonly downloads: { path: string; status: number }[] = [];
  webhook: { url: string; secret_token?: string; allowed_updates?: unknown } | null = null;
  private queue: Update[] = [];
  private waiters: (() => void)[] = [];
  private files = new Map<string, StoredFile>();
  private failures = new Map<string, Failure[]>();
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private nextFile = 1;
  private held: Promise<void> | null = null;
  /** File downloads that arrived while downloads were held (they wait until released). */
  heldDownloads = 0;
  private server: http.Server;
  url = '';

  constructor(
    readonly token: string,
    readonly username: string,
  ) {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(err) }));
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- what tests do ----------------------------------------------------------------------

  newUpdateId(): number {
    return this.nextUpdateId++;
  }

  /** Queues updates for getUpdates, all in one batch. */
  push(...updates: Update[]): void {
    this.queue.push(...updates);
    for (const w of this.waiters.splice(0)) w();
  }

  addFile(bytes: Buffer, ext = 'jpg', reportedSize?: number): { fileId: string; size: number } {
    const n = this.nextFile++;
    const fileId = `FILE-${n}-${'x'.repeat(20)}`;
    this.files.set(fileId, { fileId, filePath: `documents/file_${n}.${ext}`, bytes, reportedSize });
    return { fileId, size: reportedSize ?? bytes.length };
  }

  /**
   * File downloads wait (the answer hangs) until the returned function is called: a download in
   * flight, for a test that kills the bot in the middle of an update.
   */
  holdDownloads(): () => void {
    let release = () => {};
    this.held = new Promise<void>((resolve) => {
      release = () => {
        this.held = null;
        resolve();
      };
    });
    return release;
  }

  /** The next calls of `method` (or of the file download path, "file") get these answers. */
  fail(method: string, ...failures: Failure[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...failures]);
  }

  callsOf(method: string, chatId?: number): RecordedCall[] {
    return this.calls.filter(
      (c) => c.method === method && (chatId === undefined || Number(c.params.chat_id) === chatId),
    );
  }

  /** Successful calls only. */
  sent(method: string, chatId?: number): RecordedCall[] {
    return this.callsOf(method, chatId).filter((c) => c.status === 200);
  }

  texts(chatId: number): string[] {
    return this.sent('sendMessage', chatId).map((c) => String(c.params.text));
  }

  async waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; calls: ${this.describeCalls()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits until the chat has received `count` text messages in all, and returns them. */
  waitForTexts(chatId: number, count: number): Promise<string[]> {
    return this.waitFor(() => {
      const t = this.texts(chatId);
      return t.length >= count ? t : undefined;
    }, `${count} messages to chat ${chatId}`);
  }

  /** True once every queued update was taken by the bot. */
  drained(): boolean {
    return this.queue.length === 0;
  }

  describeCalls(): string {
    return this.calls
      .map((c) => `${c.method}:${c.status}${c.params.text ? `(${String(c.params.text).slice(0, 30)})` : ''}`)
      .join(', ');
  }

  // ---- the HTTP contract ------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && file) return this.download(file[1] ?? '', file[2] ?? '', res);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST')
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method = ''] = m;
    const { params, files } = await readBody(req);
    const record = (status: number) => this.calls.push({ method, params, files, status });
    if (token !== this.token) {
      record(401);
      return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const failure = this.failures.get(method)?.shift();
    if (failure?.status === 0) {
      record(0);
      req.socket.destroy();
      return;
    }
    if (failure) {
      record(failure.status);
      return send(res, failure.status, {
        ok: false,
        error_code: failure.status,
        description:
          failure.description ??
          (failure.status === 429
            ? `Too Many Requests: retry after ${failure.retryAfter ?? 1}`
            : 'Internal Server Error'),
        ...(failure.retryAfter !== undefined && { parameters: { retry_after: failure.retryAfter } }),
      });
    }
    const ok = (result: unknown) => {
      record(200);
      send(res, 200, { ok: true, result });
    };
    const bad = (description: string) => {
      record(400);
      send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
    };
    const chatId = Number(params.chat_id);
    switch (method) {
      case 'getMe':
        return ok({
          id: Number(this.token.split(':')[0]),
          is_bot: true,
          first_name: 'Photobooth',
          username: this.username,
          can_join_groups: false,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
          has_topics_enabled: false,
          allows_users_to_create_topics: false,
          can_manage_bots: false,
          supports_join_request_queries: false,
        });
      case 'getUpdates':
        return this.getUpdates(params, res, ok);
      case 'setWebhook':
        this.webhook = {
          url: String(params.url),
          secret_token: params.secret_token as string | undefined,
          allowed_updates: params.allowed_updates,
        };
        return ok(true);
      case 'deleteWebhook':
        this.webhook = null;
        return ok(true);
      case 'getFile': {
        const stored = this.files.get(String(params.file_id));
        if (!stored) return bad('invalid file_id');
        const size = stored.reportedSize ?? stored.bytes.length;
        if (size > 20 * 1024 * 1024) return bad('file is too big');
        return ok({
          file_id: stored.fileId,
          file_unique_id: `u${stored.fileId}`,
          file_size: size,
          file_path: stored.filePath,
        });
      }
      case 'sendMessage':
        if (!chatId) return bad('chat_id is empty');
        if (!params.text) return bad('message text is empty');
        return ok(this.message(chatId, { text: params.text, reply_markup: params.reply_markup }));
      case 'answerCallbackQuery':
        if (!params.callback_query_id) return bad('query id is empty');
        return ok(true);
      case 'editMessageText':
        if (!chatId || !params.message_id) return bad('message to edit not found');
        if (!params.text) return bad('message text is empty');
        return ok(this.message(chatId, { text: params.text, message_id: Number(params.message_id) }));
      case 'sendPhoto':
      case 'sendDocument': {
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        const upload = files[field] ?? Object.values(files)[0];
        if (!chatId) return bad('chat_id is empty');
        if (!upload && typeof params[field] !== 'string') return bad(`there is no ${field} in the request`);
        const fileId = `SENT-${this.nextFile++}`;
        const size = upload?.bytes.length ?? 0;
        return ok(
          this.message(chatId, {
            caption: params.caption,
            ...(field === 'photo'
              ? {
                  photo: [
                    { file_id: fileId, file_unique_id: `u${fileId}`, width: 1, height: 1, file_size: size },
                  ],
                }
              : {
                  document: {
                    file_id: fileId,
                    file_unique_id: `u${fileId}`,
                    file_name: upload?.filename,
                    file_size: size,
                  },
                }),
          }),
        );
      }
      default:
        return bad(`method ${method} is not in this stand-in`);
    }
  }

  private message(chatId: number, extra: Record<string, unknown>) {
    return {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Guest' },
      from: {
        id: Number(this.token.split(':')[0]),
        is_bot: true,
        first_name: 'Photobooth',
        username: this.username,
      },
      ...extra,
    };
  }

  private async getUpdates(
    params: Record<string, unknown>,
    res: http.ServerResponse,
    ok: (result: unknown) => void,
  ): Promise<void> {
    // An offset confirms every update below it, as Telegram does.
    const offset = Number(params.offset ?? 0);
    if (offset) this.queue = this.queue.filter((u) => u.update_id >= offset);
    const timeoutMs = Math.min(Number(params.timeout ?? 0), 30) * 1000;
    if (this.queue.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
        // The bot stopped (grammY aborts its pending getUpdates).
        res.once('close', done);
      });
    }
    if (res.destroyed) return;
    const limit = Number(params.limit ?? 100) || 100;
    ok(this.queue.slice(0, limit));
  }

  private async download(token: string, filePath: string, res: http.ServerResponse): Promise<void> {
    if (this.held !== null) {
      this.heldDownloads++;
      const held = this.held;
      await new Promise<void>((resolve) => {
        void held.then(() => resolve());
        res.once('close', resolve);
      });
      if (res.destroyed) return;
    }
    const failure = this.failures.get('file')?.shift();
    const status = token !== this.token ? 401 : failure ? failure.status : 200;
    const stored = [...this.files.values()].find((f) => f.filePath === filePath);
    this.downloads.push({ path: filePath, status: stored || status !== 200 ? status : 404 });
    if (status !== 200) {
      send(res, status, { ok: false, error_code: status, description: 'Download failed' });
    } else if (!stored) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    } else {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': stored.bytes.length,
      });
      res.end(stored.bytes);
    }
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(
  req: http.IncomingMessage,
): Promise<{ params: Record<string, unknown>; files: RecordedCall['files'] }> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const params: Record<string, unknown> = {};
    const files: RecordedCall['files'] = {};
    await new Promise<void>((resolve, reject) => {
      const bb = busboy({ headers: req.headers });
      bb.on('field', (name, value) => {
        // grammY sends structured fields (reply_markup…) as JSON strings, as the Bot API allows.
        params[name] = value;
      });
      bb.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          files[name] = { filename: info.filename ?? '', bytes: Buffer.concat(chunks) };
        });
      });
      bb.on('close', resolve);
      bb.on('error', reject);
      req.pipe(bb);
    });
    // A field "photo": "attach://<name>" points at the file part <name>, as in the Bot API.
    for (const [key, value] of Object.entries(params)) {
      const ref = typeof value === 'string' ? /^attach:\/\/(.+)$/.exec(value) : null;
      const attached = ref?.[1] ? files[ref[1]] : undefined;
      if (attached) files[key] = attached;
    }
    return { params, files };
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return { params: {}, files: {} };
  if (type.includes('application/json')) return { params: JSON.parse(text), files: {} };
  return { params: Object.fromEntries(new URLSearchParams(text)), files: {} };
}

export async function startFakeBotApi(token: string, username: string): Promise<FakeBotApi> {
  return new FakeBotApi(token, username).listen();
}
