import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import * as eventsRoute from '@/app/api/events/route';
import * as pictureRoute from '@/app/api/pictures/[token]/route';
import * as photos from '@/app/api/session/[id]/photos/route';
import * as result from '@/app/api/session/[id]/result/route';
import * as sessionRoute from '@/app/api/session/[id]/route';
import * as deepLink from '@/app/api/session/[id]/telegram/route';
import * as webhook from '@/app/api/telegram/webhook/route';
import { findTelegramUpdate } from '@/db/queries';
import { addUploadedPhoto } from '@/lib/photos';
import { updateSession } from '@/lib/sessions';
import { refuseWrites } from '../support/db';
import { call, photoForm } from '../support/http';
import * as img from '../support/images';
import { newSession, openEvents, startPayload, useTelegram } from './harness';
import {
  callbackUpdate,
  documentUpdate,
  type Guest,
  photoUpdate,
  stickerUpdate,
  textUpdate,
} from './updates';

// The whole loop by long polling: the real grammY bot against the Bot API stand-in.
const tg = useTelegram(
  { TELEGRAM_MODE: 'polling' },
  {
    polling: true,
    notifier: true,
    scanIntervalMs: 200,
    pollingTimeoutSeconds: 5,
    inbox: true,
    inboxScanMs: 200,
  },
);

let nextGuest = 5000;
function guest(lang = 'en', username = `guest${nextGuest}`): Guest {
  return { id: nextGuest++, username, language_code: lang, first_name: 'Ann' };
}

async function getSession(id: string) {
  return (await call(sessionRoute.GET, { path: `/api/session/${id}`, params: { id } })).json.session;
}

/** Links a fresh guest's chat to a new session through /start, and waits for the greeting. */
async function linkedSession(type: 'upload' | 'download' = 'upload', lang = 'en') {
  const api = tg.api();
  const session = await newSession(type);
  const g = guest(lang);
  api.push(textUpdate(api, g, `/start ${await startPayload(session.id)}`));
  await api.waitForTexts(g.id, 1);
  await api.waitFor(
    async () => (await getSession(session.id)).telegram_user_id === g.id,
    'the session to record the user',
  );
  return { session, g };
}

async function sendPhoto(g: Guest, bytes: Buffer, expectTexts: number) {
  const api = tg.api();
  api.push(photoUpdate(api, g, api.addFile(bytes)));
  return api.waitForTexts(g.id, expectTexts);
}

describe('deep link', () => {
  it('gives the booth a t.me link whose payload is random, stable and within Telegram limits', async () => {
    const session = await newSession();
    const first = await call(deepLink.GET, {
      path: `/api/session/${session.id}/telegram`,
      params: { id: session.id },
      as: 'booth',
    });
    expect(first.status).toBe(200);
    expect(first.json.bot_username).toBe('pb_test_bot');
    const url = new URL(first.json.link);
    expect(`${url.origin}${url.pathname}`).toBe('https://t.me/pb_test_bot');
    const payload = url.searchParams.get('start') ?? '';
    expect(payload).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(payload).not.toContain(session.id.replaceAll('-', '').slice(0, 8));
    const again = await call(deepLink.GET, {
      path: `/api/session/${session.id}/telegram`,
      params: { id: session.id },
      as: 'booth',
    });
    expect(again.json.link).toBe(first.json.link);
    const other = await newSession();
    expect(await startPayload(other.id)).not.toBe(payload);
  });

  it('is for the booth only, and 404 for an unknown session', async () => {
    const session = await newSession();
    const guestCall = await call(deepLink.GET, {
      path: `/api/session/${session.id}/telegram`,
      params: { id: session.id },
    });
    expect(guestCall.status).toBe(401);
    expect(guestCall.json.error.code).toBe('unauthorized');
    const unknown = await call(deepLink.GET, {
      path: '/api/session/nope/telegram',
      params: { id: 'nope' },
      as: 'booth',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('session_not_found');
  });

  it('/start <payload> links the chat: the session records the Telegram user and the guest is greeted in Russian', async () => {
    const api = tg.api();
    const session = await newSession();
    const g = guest('ru', 'anya');
    const events = await openEvents(session.id);
    api.push(textUpdate(api, g, `/start ${await startPayload(session.id)}`));
    const [greeting] = await api.waitForTexts(g.id, 1);
    expect(greeting).toContain('Вы подключены к фотобудке');
    expect(greeting).toContain('3');
    await api.waitFor(
      () => events.sessions.some((s) => (s as { telegram_user_id?: number }).telegram_user_id === g.id),
      'booth sees the link',
    );
    await events.close();
    const after = await getSession(session.id);
    expect(after.telegram_user_id).toBe(g.id);
    expect(after.telegram_username).toBe('anya');
  });

  it('greets in English, refuses an unknown payload, and keeps a session to its first user', async () => {
    const api = tg.api();
    const session = await newSession();
    const payload = await startPayload(session.id);
    const first = guest('en-GB');
    api.push(textUpdate(api, first, `/start ${payload}`));
    expect((await api.waitForTexts(first.id, 1))[0]).toContain('You are connected to the photobooth');

    const second = guest('en');
    api.push(textUpdate(api, second, `/start ${payload}`));
    expect((await api.waitForTexts(second.id, 1))[0]).toContain(
      'already connected to another Telegram account',
    );
    expect((await getSession(session.id)).telegram_user_id).toBe(first.id);

    const stranger = guest('en');
    api.push(textUpdate(api, stranger, '/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect((await api.waitForTexts(stranger.id, 1))[0]).toContain('not valid any more');
    api.push(textUpdate(api, stranger, '/start'));
    expect((await api.waitForTexts(stranger.id, 2))[1]).toContain('Scan the Telegram QR code');
  });
});

describe('photos from the chat', () => {
  it('three photos reach the booth like web uploads: the stream shows the count go to ready', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    const events = await openEvents(session.id);
    await api.waitFor(() => events.sessions.length > 0, 'first SSE event');

    expect((await sendPhoto(g, await img.jpeg(1200, 900, 10), 2))[1]).toBe('📷 1 of 3 — up to 5');
    expect((await sendPhoto(g, await img.jpeg(1200, 900, 90), 3))[2]).toBe('📷 2 of 3 — up to 5');
    // Sent "as a file": the best quality, through the same pipeline.
    api.push(
      documentUpdate(api, g, api.addFile(await img.png(800, 600), 'png'), 'image/png', 'IMG_0003.png'),
    );
    const texts = await api.waitForTexts(g.id, 4);
    expect(texts[3]).toBe('📷 3 of 3 — up to 5\n✅ Enough for the booth! You can send 2 more.');

    const ready = await api.waitFor(
      () => events.sessions.find((s) => s.status === 'ready'),
      'the booth stream to show the session ready',
    );
    expect(ready.photo_count).toBe(3);
    const counts = events.sessions.map((s) => s.photo_count);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts).toContain(1);
    expect(counts).toContain(2);
    await events.close();

    const list = await call(photos.GET, {
      path: `/api/session/${session.id}/photos`,
      params: { id: session.id },
    });
    expect(list.json.photos).toHaveLength(3);
    for (const p of list.json.photos) {
      expect(p.telegram_file_id).toMatch(/^FILE-/);
      expect(p.content_type).toBe('image/jpeg');
    }
    // Only the largest size of each photo was fetched.
    expect(api.callsOf('getFile').some((c) => c.params.file_id === 'THUMB-not-downloadable')).toBe(false);
  });

  it('the 6th photo is refused with the limit, and the session keeps 5', async () => {
    const { session, g } = await linkedSession('upload', 'ru');
    for (let i = 0; i < 5; i++) await addUploadedPhoto(session.id, await img.jpeg(400, 300, i * 40), 'guest');
    const api = tg.api();
    const downloadsBefore = api.downloads.length;
    const texts = await sendPhoto(g, await img.jpeg(400, 300, 300), 2);
    expect(texts[1]).toBe('В этой сессии уже 5 фото, больше нельзя.');
    expect((await getSession(session.id)).photo_count).toBe(5);
    // Refused before fetching the file.
    expect(api.downloads.length).toBe(downloadsBefore);
  });

  it('the 5th photo says it was the last', async () => {
    const { session, g } = await linkedSession('upload', 'en');
    for (let i = 0; i < 4; i++) await addUploadedPhoto(session.id, await img.jpeg(400, 300, i * 40), 'guest');
    const texts = await sendPhoto(g, await img.jpeg(400, 300, 300), 2);
    expect(texts[1]).toBe('📷 5 — up to 5\n✅ That was the last one: 5 is the most a session takes.');
  });

  it('an expired session answers that it expired, for photos and for /start', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    await updateSession(session.id, { status: 'expired' });
    const texts = await sendPhoto(g, await img.jpeg(), 2);
    expect(texts[1]).toBe('This session has expired. Start a new one at the booth.');
    expect((await getSession(session.id)).photo_count ?? 0).toBe(0);

    const other = await newSession();
    const payload = await startPayload(other.id);
    await updateSession(other.id, { status: 'expired' });
    const late = guest('en');
    api.push(textUpdate(api, late, `/start ${payload}`));
    expect((await api.waitForTexts(late.id, 1))[0]).toBe(
      'This session has expired. Start a new one at the booth.',
    );
  });

  it('a document that is not an image is refused as not a picture, and nothing is stored', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    const pdf = Buffer.from(
      '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    api.push(documentUpdate(api, g, api.addFile(pdf, 'pdf'), 'application/pdf', 'invitation.pdf'));
    const texts = await api.waitForTexts(g.id, 2);
    expect(texts[1]).toContain('does not look like a picture I can use');
    // An SVG (an image type the product refuses) is no different.
    api.push(documentUpdate(api, g, api.addFile(img.svg(), 'svg'), 'image/svg+xml', 'logo.svg'));
    expect((await api.waitForTexts(g.id, 3))[2]).toContain('does not look like a picture I can use');
    expect((await getSession(session.id)).photo_count).toBe(0);
  });

  it('a file over the size limit is refused without downloading it', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    const before = api.callsOf('getFile').length;
    api.push(
      documentUpdate(
        api,
        g,
        api.addFile(await img.jpeg(), 'jpg', 30 * 1024 * 1024),
        'image/jpeg',
        'huge.jpg',
      ),
    );
    expect((await api.waitForTexts(g.id, 2))[1]).toBe('This file is too large: at most 25 MB.');
    expect(api.callsOf('getFile').length).toBe(before);
    expect((await getSession(session.id)).photo_count).toBe(0);
  });

  it('photos to a download session are refused: it is for receiving the picture', async () => {
    const { session, g } = await linkedSession('download', 'en');
    const texts = await sendPhoto(g, await img.jpeg(), 2);
    expect(texts[0]).toContain('Your picture will arrive in this chat');
    expect(texts[1]).toContain('photos cannot be sent to it');
    expect((await getSession(session.id)).photo_count).toBe(0);
  });

  it('a photo before any /start asks to scan the booth QR code first', async () => {
    const g = guest('en');
    expect((await sendPhoto(g, await img.jpeg(), 1))[0]).toContain('not connected to a booth session yet');
  });
});

describe('the finished picture', () => {
  it('is sent to the linked chat as a photo and as a full-quality document when the booth saves it', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'ru');
    const picture = await img.jpeg(1800, 1200, 250);
    const saved = await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(picture),
    });
    expect(saved.status).toBe(201);
    const [photo] = await api.waitFor(() => {
      const p = api.sent('sendPhoto', g.id);
      return p.length ? p : undefined;
    }, 'sendPhoto');
    const [doc] = await api.waitFor(() => {
      const d = api.sent('sendDocument', g.id);
      return d.length ? d : undefined;
    }, 'sendDocument');
    expect(photo?.params.caption).toContain('Ваша фотография из фотобудки');
    const sentPhoto = photo?.files.photo?.bytes ?? Buffer.alloc(0);
    const sentDoc = doc?.files.document?.bytes ?? Buffer.alloc(0);
    expect(sentDoc.equals(sentPhoto)).toBe(true);
    expect(doc?.files.document?.filename).toMatch(/^photobooth-\d{4}-\d{2}-\d{2}\.jpg$/);
    // The picture the guest gets is the stored result itself.
    const stored = await call(result.GET, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
    });
    expect(sentDoc.equals(stored.body)).toBe(true);
    const meta = await sharp(sentDoc).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1800, 1200]);

    // Sent once, however many events the session has afterwards.
    await new Promise((r) => setTimeout(r, 500));
    expect(api.sent('sendPhoto', g.id)).toHaveLength(1);
    expect((await getSession(session.id)).status).toBe('completed');
  });

  it('a download session opened through the bot gets its picture, and is then completed', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('download', 'en');
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(1000, 1500, 20)),
    });
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture');
    expect(api.sent('sendPhoto', g.id)[0]?.params.caption).toBe('Your photobooth picture 🎉');
    // The guest has the picture: the download session's flow is done, as after a phone fetch.
    await api.waitFor(
      async () => (await getSession(session.id)).status === 'completed',
      'the session to be completed',
    );
  });

  it('a picture saved before the guest taps the link arrives right after /start', async () => {
    const api = tg.api();
    const session = await newSession('download');
    const payload = await startPayload(session.id);
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(900, 600, 200)),
    });
    const g = guest('en');
    api.push(textUpdate(api, g, `/start ${payload}`));
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture after /start');
    // The greeting comes first.
    const order = api.calls.filter((c) => Number(c.params.chat_id) === g.id).map((c) => c.method);
    expect(order.indexOf('sendMessage')).toBeLessThan(order.indexOf('sendPhoto'));
  });
});

describe('the event', () => {
  it("the greeting names the session's event and its limits; the chat gets the picture's take-home link", async () => {
    const api = tg.api();
    const made = await call(eventsRoute.POST, {
      path: '/api/events',
      as: 'admin',
      json: { name: 'Anna & Boris', max_photos: 4, ready_at: 2, retention_days: 3 },
    });
    expect(made.status).toBe(201);
    const session = await newSession('upload', { event_id: made.json.event.id });
    const g = guest('en');
    api.push(textUpdate(api, g, `/start ${await startPayload(session.id)}`));
    const [greeting] = await api.waitForTexts(g.id, 1);
    expect(greeting).toContain('Anna & Boris');
    expect(greeting).toContain('You are connected to the photobooth');
    expect(greeting).toContain('Send me 2 photos (up to 4)');
    await api.waitFor(
      async () => (await getSession(session.id)).telegram_user_id === g.id,
      'the session to record the user',
    );

    const saved = await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(1200, 800, 90)),
    });
    expect(saved.status).toBe(201);
    const pictureUrl = saved.json.session.picture_url as string;
    expect(pictureUrl).toMatch(/\/p\/[A-Za-z0-9_-]{32}$/);
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture');
    expect(api.sent('sendPhoto', g.id)[0]?.params.caption).toBe('Your photobooth picture: Anna & Boris 🎉');
    const texts = await api.waitForTexts(g.id, 2);
    expect(texts[1]).toContain(pictureUrl);
    expect(texts[1]).toContain('until');
    // The link it was sent is the picture's own.
    const token = pictureUrl.split('/p/')[1] as string;
    const picture = await call(pictureRoute.GET, { path: `/api/pictures/${token}`, params: { token } });
    expect(picture.status).toBe(200);
    expect(picture.json.picture.session_id).toBe(session.id);
  });

  it('in an event that keeps no pictures (the default) no link is sent', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('download', 'ru');
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(900, 600, 40)),
    });
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture');
    await new Promise((r) => setTimeout(r, 300));
    expect(api.sent('sendMessage', g.id)).toHaveLength(1);
    expect((await getSession(session.id)).picture_url).toBeNull();
  });
});

describe('consent', () => {
  const CONSENT = 'Photos may be shown on the venue screen and kept for the couple.';

  async function consentSession(lang = 'en') {
    const api = tg.api();
    const made = await call(eventsRoute.POST, {
      path: '/api/events',
      as: 'admin',
      json: { name: 'Consent Gala', consent_text: CONSENT },
    });
    expect(made.status).toBe(201);
    const session = await newSession('upload', { event_id: made.json.event.id });
    const g = guest(lang);
    api.push(textUpdate(api, g, `/start ${await startPayload(session.id)}`));
    await api.waitForTexts(g.id, 2);
    return { session, g, eventId: made.json.event.id as string };
  }

  /** The last message to the chat that carries the consent button, and the button itself. */
  function consentButton(g: Guest) {
    const api = tg.api();
    const withButton = api.sent('sendMessage', g.id).filter((c) => c.params.reply_markup);
    const call = withButton.at(-1);
    const markup = call?.params.reply_markup as
      | { inline_keyboard: { text: string; callback_data: string }[][] }
      | string
      | undefined;
    const parsed = typeof markup === 'string' ? JSON.parse(markup) : markup;
    return {
      text: String(call?.params.text ?? ''),
      button: parsed?.inline_keyboard?.[0]?.[0],
      count: withButton.length,
    };
  }

  async function tap(g: Guest, data: string, text: string) {
    const api = tg.api();
    const before = api.sent('answerCallbackQuery').length;
    api.push(callbackUpdate(api, g, data, { message_id: 7, date: 0, text }));
    await api.waitFor(() => api.sent('answerCallbackQuery').length > before, 'the tap to be answered');
  }

  it('asks with an "I agree" button after /start; a photo before it is refused and not stored; after the tap photos land', async () => {
    const api = tg.api();
    const { session, g } = await consentSession();
    const asked = consentButton(g);
    expect(asked.text).toContain(CONSENT);
    expect(asked.button?.text).toBe('I agree');
    expect(asked.button?.callback_data).toBe(`consent:${session.id}`);

    // Before agreeing: refused, asked again, nothing downloaded or stored.
    const early = api.addFile(await img.jpeg(1200, 900, 10));
    api.push(photoUpdate(api, g, early));
    const texts = await api.waitForTexts(g.id, 4);
    expect(texts[2]).toBe('Please tap “I agree” first, then send your photo again.');
    expect(consentButton(g).count).toBe(2);
    expect(api.callsOf('getFile').filter((c) => c.params.file_id === early.fileId)).toHaveLength(0);
    expect((await getSession(session.id)).photo_count).toBe(0);

    await tap(g, `consent:${session.id}`, asked.text);
    const thanks = await api.waitForTexts(g.id, 5);
    expect(thanks[4]).toBe('Thank you! Now send me your photos 📸');
    const edited = api.sent('editMessageText', g.id).at(-1);
    expect(String(edited?.params.text)).toContain('✅ You agreed.');
    expect(String(edited?.params.text)).toContain(CONSENT);

    const after = await sendPhoto(g, await img.jpeg(1200, 900, 30), 6);
    expect(after[5]).toContain('📷 1 of 3');
    expect((await getSession(session.id)).photo_count).toBe(1);
  });

  it('a tap replayed or a tap for another chat’s session records nothing for the wrong chat; each session asks again', async () => {
    const api = tg.api();
    const first = await consentSession('ru');
    const ru = consentButton(first.g);
    expect(ru.text).toContain(CONSENT);
    expect(ru.button?.text).toBe('Я согласен');

    // Another guest taps a button carrying the first guest's session: not theirs, no consent recorded.
    const other = await consentSession();
    await tap(other.g, `consent:${first.session.id}`, 'x');
    const gone = api.sent('answerCallbackQuery').at(-1);
    expect(gone?.params.text).toBe('This session is over. Scan the QR code on the booth screen again.');
    api.push(photoUpdate(api, first.g, api.addFile(await img.jpeg(1000, 800, 50))));
    const refused = await api.waitForTexts(first.g.id, 4);
    expect(refused[2]).toBe('Сначала нажмите «Я согласен», затем пришлите фото ещё раз.');
    expect((await getSession(first.session.id)).photo_count).toBe(0);

    // The same tap twice: accepted, one photo stored per photo sent.
    await tap(first.g, `consent:${first.session.id}`, ru.text);
    await tap(first.g, `consent:${first.session.id}`, ru.text);
    await sendPhoto(first.g, await img.jpeg(1000, 800, 70), 7);
    expect((await getSession(first.session.id)).photo_count).toBe(1);

    // A new session of the same event asks again.
    const again = await newSession('upload', { event_id: first.eventId });
    api.push(textUpdate(api, first.g, `/start ${await startPayload(again.id)}`));
    await api.waitFor(() => consentButton(first.g).count === 3, 'the new session to ask again');
    expect(consentButton(first.g).button?.callback_data).toBe(`consent:${again.id}`);
  });

  it('an event without consent text asks nothing: no button, photos land at once', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession();
    const texts = await sendPhoto(g, await img.jpeg(1200, 900, 120), 2);
    expect(texts[1]).toContain('📷 1 of 3');
    expect(api.sent('sendMessage', g.id).filter((c) => c.params.reply_markup)).toHaveLength(0);
    expect((await getSession(session.id)).photo_count).toBe(1);
  });
});

describe('robustness', () => {
  it('a duplicated update (same update_id) is handled once', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    const update = photoUpdate(api, g, api.addFile(await img.jpeg(600, 400, 70)));
    api.push(update, structuredClone(update));
    await api.waitForTexts(g.id, 2);
    await api.waitFor(() => api.drained(), 'both copies taken');
    // The next update proves the duplicate was passed over, not still in flight.
    api.push(textUpdate(api, g, '/status'));
    const texts = await api.waitForTexts(g.id, 3);
    expect(texts[2]).toContain('Waiting for your photos: 1 of 3');
    expect(texts).toHaveLength(3);
    expect((await getSession(session.id)).photo_count).toBe(1);
  });

  it('asks Telegram for the next updates only once a batch is stored: a batch the database refused comes again', async () => {
    const api = tg.api();
    const g = guest('en');
    const update = textUpdate(api, g, '/help');
    const polls = api.callsOf('getUpdates').length;
    const allowWrites = await refuseWrites();
    try {
      api.push(update);
      await api.waitFor(() => api.callsOf('getUpdates').length >= polls + 1, 'the batch to be fetched');
      await new Promise((r) => setTimeout(r, 100));
      expect(await findTelegramUpdate(update.update_id)).toBeUndefined();
    } finally {
      await allowWrites();
    }
    // Not confirmed to Telegram: every getUpdates so far asked from this update or before.
    expect(api.callsOf('getUpdates').every((c) => Number(c.params.offset ?? 0) <= update.update_id)).toBe(
      true,
    );
    expect(api.drained()).toBe(false);
    expect((await api.waitForTexts(g.id, 1))[0]).toContain('How it works');
    await api.waitFor(
      async () => (await findTelegramUpdate(update.update_id))?.state === 'done',
      'the update done',
    );
    expect(api.texts(g.id)).toHaveLength(1);
  });

  it('retries the Bot API after a 500 and a 429 (retry_after), and the reply arrives', async () => {
    const api = tg.api();
    const g = guest('en');
    api.fail('sendMessage', { status: 500 }, { status: 429, retryAfter: 1 });
    const started = Date.now();
    api.push(textUpdate(api, g, '/help'));
    const [help] = await api.waitForTexts(g.id, 1);
    expect(help).toContain('How it works');
    expect(api.callsOf('sendMessage', g.id).map((c) => c.status)).toEqual([500, 429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries after a dropped connection (a network error)', async () => {
    const api = tg.api();
    const g = guest('en');
    api.fail('sendMessage', { status: 0 });
    api.push(textUpdate(api, g, '/help'));
    await api.waitForTexts(g.id, 1);
    expect(api.callsOf('sendMessage', g.id).map((c) => c.status)).toEqual([0, 200]);
  });

  it('retries getFile and the file download when they fail, and the photo still lands', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    api.fail('getFile', { status: 502 });
    api.fail('file', { status: 503 });
    const texts = await sendPhoto(g, await img.jpeg(640, 480, 150), 2);
    expect(texts[1]).toBe('📷 1 of 3 — up to 5');
    expect(api.downloads.filter((d) => d.status === 503)).toHaveLength(1);
    expect((await getSession(session.id)).photo_count).toBe(1);
  });

  it('a picture whose sending failed for a while is sent by the next scan', async () => {
    const api = tg.api();
    const { session, g } = await linkedSession('upload', 'en');
    // More failures than one call's retries: the first delivery gives up, a later scan succeeds.
    api.fail('sendPhoto', { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await call(result.POST, {
      path: `/api/session/${session.id}/result`,
      params: { id: session.id },
      as: 'booth',
      body: photoForm(await img.jpeg(800, 600, 330)),
    });
    await api.waitFor(() => api.sent('sendDocument', g.id).length > 0, 'the picture after the outage');
    expect(api.callsOf('sendPhoto', g.id).filter((c) => c.status === 500)).toHaveLength(4);
    expect(api.sent('sendPhoto', g.id)).toHaveLength(1);
  });

  it('answers /status, stickers and plain text kindly', async () => {
    const api = tg.api();
    const { g } = await linkedSession('upload', 'ru');
    api.push(textUpdate(api, g, '/status'));
    expect((await api.waitForTexts(g.id, 2))[1]).toMatch(
      /^Ждём ваши фото: 0 из 3, можно до 5\. Осталось \d+ мин\.$/,
    );
    api.push(stickerUpdate(api, g));
    expect((await api.waitForTexts(g.id, 3))[2]).toContain('понимаю только фото');
    api.push(textUpdate(api, g, 'hello?'));
    expect((await api.waitForTexts(g.id, 4))[3]).toContain('понимаю только фото');
    const stranger = guest('en');
    api.push(textUpdate(api, stranger, '/status'));
    expect((await api.waitForTexts(stranger.id, 1))[0]).toContain('not connected to a booth session yet');
  });

  it('in polling mode the webhook route is off', async () => {
    const r = await call(webhook.POST, { path: '/api/telegram/webhook', json: { update_id: 1 } });
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('telegram_disabled');
  });

  it('ignores group chats', async () => {
    const api = tg.api();
    const g = guest('en');
    const update = textUpdate(api, g, '/help');
    update.message.chat = { id: -100123, type: 'group', title: 'Wedding' } as never;
    api.push(update, textUpdate(api, g, '/help'));
    await api.waitForTexts(g.id, 1);
    expect(api.callsOf('sendMessage', -100123)).toHaveLength(0);
  });
});
