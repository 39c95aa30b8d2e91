import type { FakeBotApi } from './fake-bot-api';

/** Telegram updates as the Bot API delivers them, for a guest in a private chat. */

export interface Guest {
  id: number;
  username?: string;
  language_code?: string;
  first_name?: string;
}

function message(api: FakeBotApi, guest: Guest, extra: Record<string, unknown>) {
  return {
    update_id: api.newUpdateId(),
    message: {
      message_id: Math.floor(Math.random() * 1e6),
      date: Math.floor(Date.now() / 1000),
      chat: {
        id: guest.id,
        type: 'private',
        first_name: guest.first_name ?? 'Guest',
        username: guest.username,
      },
      from: { is_bot: false, first_name: 'Guest', ...guest },
      ...extra,
    },
  };
}

export function textUpdate(api: FakeBotApi, guest: Guest, text: string) {
  const command = /^\/\w+/.exec(text);
  return message(api, guest, {
    text,
    ...(command && { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] }),
  });
}

export function photoUpdate(api: FakeBotApi, guest: Guest, file: { fileId: string; size: number }) {
  // Telegram lists every size it made, smallest first; only the last is the real photo here.
  return message(api, guest, {
    photo: [
      { file_id: 'THUMB-not-downloadable', file_unique_id: 't1', width: 90, height: 67, file_size: 1200 },
      {
        file_id: file.fileId,
        file_unique_id: `u${file.fileId}`,
        width: 1200,
        height: 900,
        file_size: file.size,
      },
    ],
  });
}

export function documentUpdate(
  api: FakeBotApi,
  guest: Guest,
  file: { fileId: string; size: number },
  mime: string,
  name: string,
) {
  return message(api, guest, {
    document: {
      file_id: file.fileId,
      file_unique_id: `u${file.fileId}`,
      file_name: name,
      mime_type: mime,
      file_size: file.size,
    },
  });
}

export function stickerUpdate(api: FakeBotApi, guest: Guest) {
  return message(api, guest, {
    sticker: {
      file_id: 'STICKER',
      file_unique_id: 's1',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    },
  });
}

/** A tap on an inline button under one of the bot's messages (`message` as the bot sent it). */
export function callbackUpdate(
  api: FakeBotApi,
  guest: Guest,
  data: string,
  message: Record<string, unknown>,
) {
  return {
    update_id: api.newUpdateId(),
    callback_query: {
      id: String(Math.floor(Math.random() * 1e9)),
      from: { is_bot: false, first_name: 'Guest', ...guest },
      chat_instance: `ci${guest.id}`,
      data,
      message: {
        ...message,
        chat: { id: guest.id, type: 'private', first_name: guest.first_name ?? 'Guest' },
      },
    },
  };
}
