// A bare node:http + better-sqlite3 server doing what GET /api/session/:id does (the session row
// with its photo counts, serialized as the API does): the floor of Node itself for baseline (c).
// Usage: node bench/bare-server.mjs PORT DBPATH
import http from 'node:http';
import Database from 'better-sqlite3';

const [port, dbPath] = process.argv.slice(2);
const db = new Database(dbPath, { fileMustExist: true });
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const find = db.prepare(`select s.*,
  (select count(*) from session_photos p where p.session_id = s.id and p.photo_type = 'uploaded') as photo_count,
  exists(select 1 from session_photos p where p.session_id = s.id and p.photo_type = 'result') as has_result
  from sessions s where s.id = ?`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/api/health') return send(res, 200, { ok: true });
    const m = /^\/api\/session\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m)
      return send(res, 404, { error: { code: 'not_found', message: 'No such endpoint.' } });
    const row = UUID.test(m[1]) ? find.get(m[1].toLowerCase()) : undefined;
    if (!row) return send(res, 404, { error: { code: 'session_not_found', message: 'No such session.' } });
    const expired = row.status === 'expired' || row.expires_at <= Date.now();
    const session = {
      id: row.id,
      type: row.type,
      status: expired ? 'expired' : row.status,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
      expires_at: new Date(row.expires_at).toISOString(),
      telegram_user_id: row.telegram_user_id,
      telegram_username: row.telegram_username,
      data: JSON.parse(row.data || '{}'),
      photo_count: row.photo_count,
      max_photos: 5,
      ready_at: 3,
      has_result: Boolean(row.has_result),
      url: `http://${req.headers.host}/s/${row.id}`,
    };
    if (expired) return send(res, 410, { error: { code: 'session_expired', message: 'Expired.' }, session });
    send(res, 200, { session });
  })
  .listen(Number(port), '127.0.0.1');
