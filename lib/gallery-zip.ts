import { Readable } from 'node:stream';
import yazl from 'yazl';
import { eventPicturesAfter } from '@/db/queries';
import type { EventRow, PictureRow } from '@/db/schema';
import { openPicture } from './storage';

/**
 * GET /api/gallery/:token/zip: every live picture of the event as one ZIP, built as it is sent.
 *
 * - yazl writes the archive as a stream; entries are STORED (JPEGs do not compress), so the
 *   server copies bytes from one picture file at a time and never holds the archive.
 * - Pictures are read from the DB in pages of PAGE, oldest first: the next page is read only when
 *   yazl asks for the last file of the current one (addReadStreamLazy), so memory does not grow
 *   with the number of pictures (only the central directory's ~100 bytes per entry, as ZIP needs).
 * - Names: "<event name> YYYY-MM-DD HH-mm NNN.jpg" in the server's local time (TZ), numbered
 *   from 001 in the order the pictures were made.
 * - A client that goes away (request.signal) stops the work: no further page is read, the
 *   archive stream is destroyed (the file being read is closed with it).
 */

const PAGE = 100;

/** The event's name as a file name: no path separators, control or reserved characters. */
export function safeName(name: string): string {
  const cleaned = name
    .replace(/[\p{Cc}\\/:*?"<>|]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  return cleaned || 'photobooth';
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function zipEntryName(eventName: string, createdAt: Date, n: number): string {
  const d = createdAt;
  const stamp = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}-${pad(d.getMinutes())}`;
  return `${safeName(eventName)} ${stamp} ${pad(n, 3)}.jpg`;
}

/** `attachment` with the event's name: an ASCII fallback and RFC 5987 filename* for the rest. */
export function zipContentDisposition(eventName: string): string {
  const name = `${safeName(eventName)}.zip`;
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function galleryZipResponse(
  request: Request,
  event: EventRow,
  opts: { now?: Date; pageSize?: number } = {},
): Response {
  const now = opts.now ?? new Date();
  const pageSize = opts.pageSize ?? PAGE;
  const zip = new yazl.ZipFile();
  const out = zip.outputStream as unknown as Readable;
  let aborted = false;
  let n = 0;

  const onAbort = () => {
    aborted = true;
    out.destroy();
  };
  request.signal.addEventListener('abort', onAbort, { once: true });
  out.on('close', () => request.signal.removeEventListener('abort', onAbort));

  const addPage = async (after?: PictureRow) => {
    if (aborted) return;
    let page: PictureRow[];
    try {
      page = await eventPicturesAfter(
        event.id,
        after ? { createdAt: after.createdAt, id: after.id } : undefined,
        pageSize,
        now,
      );
    } catch (err) {
      // The database went away mid-archive: the download ends broken (the client sees it), the
      // server stays up.
      console.error('[gallery] ZIP page could not be read:', (err as Error).message);
      out.destroy(err as Error);
      return;
    }
    if (aborted) return;
    if (page.length === 0) {
      zip.end();
      return;
    }
    page.forEach((p, i) => {
      const last = i === page.length - 1;
      zip.addReadStreamLazy(
        zipEntryName(event.name, p.createdAt, ++n),
        { compress: false, mtime: p.createdAt, mode: 0o100644 },
        (cb) => {
          // yazl asks for this file now: the one before it is written. Queue the next page first.
          if (last) void addPage(p);
          // A picture removed while the archive is sent: its entry is empty instead of failing all.
          openPicture(p.storageKey, 'full').then(
            (blob) => cb(null, blob ? blob.body : Readable.from([])),
            (err) => {
              console.error(`[gallery] picture ${p.id} left empty in the archive:`, (err as Error).message);
              cb(null, Readable.from([]));
            },
          );
        },
      );
    });
  };
  void addPage();

  return new Response(Readable.toWeb(out) as ReadableStream, {
    status: 200,
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': zipContentDisposition(event.name),
      'Cache-Control': 'no-store',
    },
  });
}
