/**
 * What the bot says, in Russian and English. The language is Telegram's `language_code` of the
 * user (kept with the chat link, so the finished picture arrives in the same language).
 */
import { DEFAULT_EVENT_NAME } from '@/db/default-event';

export type BotLang = 'ru' | 'en';

export function botLanguage(code: string | null | undefined): BotLang {
  return code?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

const en = {
  welcome:
    'Hi! I am the photobooth bot 📸\nScan the Telegram QR code on the booth screen to connect, then send me your photos here.',
  linked_upload:
    '{event}You are connected to the photobooth 📸\nSend me {ready_at} photos (up to {max}): as photos, or as files for the best quality. They appear on the booth screen right away.',
  linked_download:
    '{event}You are connected to the photobooth 📸\nYour picture will arrive in this chat as soon as it is ready.',
  link_unknown: 'This link is not valid any more. Scan the QR code on the booth screen again.',
  link_taken: 'This booth session is already connected to another Telegram account.',
  help: 'How it works:\n1. Scan the Telegram QR code on the booth screen.\n2. Send your photos here (as photos, or as files for the best quality).\n3. The finished picture comes back to this chat.\n\n/status: your session\n/help: this message',
  no_session: 'You are not connected to a booth session yet. Scan the Telegram QR code on the booth screen.',
  count: '📷 {count} of {ready_at} — up to {max}',
  count_over: '📷 {count} — up to {max}',
  count_ready: '✅ Enough for the booth! You can send {left} more.',
  count_full: '✅ That was the last one: {max} is the most a session takes.',
  other: 'I only understand photos here 🙂 Send me a photo, or /help.',
  error_photo_limit_reached: 'This session already has {max} photos, the most it can take.',
  error_session_expired: 'This session has expired. Start a new one at the booth.',
  error_session_not_found: 'This session no longer exists. Start a new one at the booth.',
  error_session_closed: 'This session is finished: no more photos can be added.',
  error_forbidden: 'This session is for receiving the picture: photos cannot be sent to it.',
  error_unsupported_media_type:
    'That does not look like a picture I can use. Send a photo (JPEG, PNG, WebP, AVIF, GIF or HEIC).',
  error_invalid_image: 'This image is damaged or too large in pixels. Please try another one.',
  error_photo_too_large: 'This file is too large: at most {mb} MB.',
  error_generic: 'Something went wrong on our side. Please try again.',
  status_upload_pending: 'Waiting for your photos: {count} of {ready_at}, up to {max}. {minutes} min left.',
  status_upload_ready: 'Your photos are at the booth: {count} (up to {max}). {minutes} min left.',
  status_download_pending: 'Your picture is being made. It will arrive here. {minutes} min left.',
  status_download_ready: 'Your picture is ready and on its way to this chat.',
  status_completed: 'This session is done. Thank you!',
  status_expired: 'This session has expired. Start a new one at the booth.',
  result_caption: 'Your photobooth picture{event} 🎉',
  result_document: 'The same picture in full quality.',
  picture_link: 'Your picture also stays on its own page until {date}, to save or share later:\n{url}',
  consent_prompt: 'Before you send photos, please read this and tap “I agree”:\n\n{text}',
  consent_button: 'I agree',
  consent_first: 'Please tap “I agree” first, then send your photo again.',
  consent_thanks: 'Thank you! Now send me your photos 📸',
  consent_accepted: '✅ You agreed.',
  consent_gone: 'This session is over. Scan the QR code on the booth screen again.',
} as const;

export type MessageKey = keyof typeof en;

const ru: Record<MessageKey, string> = {
  welcome:
    'Привет! Я бот фотобудки 📸\nОтсканируйте Telegram QR-код на экране фотобудки, чтобы подключиться, и присылайте фото сюда.',
  linked_upload:
    '{event}Вы подключены к фотобудке 📸\nПришлите мне {ready_at} фото (можно до {max}): как фото или как файлы для лучшего качества. Они сразу появятся на экране фотобудки.',
  linked_download:
    '{event}Вы подключены к фотобудке 📸\nГотовая фотография придёт в этот чат, как только будет готова.',
  link_unknown: 'Эта ссылка больше не действует. Отсканируйте QR-код на экране фотобудки ещё раз.',
  link_taken: 'Эта сессия фотобудки уже подключена к другому аккаунту Telegram.',
  help: 'Как это работает:\n1. Отсканируйте Telegram QR-код на экране фотобудки.\n2. Пришлите фото сюда (как фото или как файлы для лучшего качества).\n3. Готовая фотография придёт в этот чат.\n\n/status — ваша сессия\n/help — это сообщение',
  no_session: 'Вы ещё не подключены к сессии фотобудки. Отсканируйте Telegram QR-код на экране фотобудки.',
  count: '📷 {count} из {ready_at} — можно до {max}',
  count_over: '📷 {count} — можно до {max}',
  count_ready: '✅ Для фотобудки достаточно! Можно прислать ещё {left}.',
  count_full: '✅ Это было последнее: в сессии не больше {max} фото.',
  other: 'Здесь я понимаю только фото 🙂 Пришлите фото или /help.',
  error_photo_limit_reached: 'В этой сессии уже {max} фото, больше нельзя.',
  error_session_expired: 'Время сессии истекло. Начните новую у фотобудки.',
  error_session_not_found: 'Этой сессии больше нет. Начните новую у фотобудки.',
  error_session_closed: 'Эта сессия завершена: добавить фото уже нельзя.',
  error_forbidden: 'Эта сессия для получения готовой фотографии: отправлять в неё фото нельзя.',
  error_unsupported_media_type:
    'Это не похоже на картинку, которую я могу принять. Пришлите фото (JPEG, PNG, WebP, AVIF, GIF или HEIC).',
  error_invalid_image: 'Изображение повреждено или слишком большое по числу пикселей. Попробуйте другое.',
  error_photo_too_large: 'Файл слишком большой: не больше {mb} МБ.',
  error_generic: 'У нас что-то пошло не так. Попробуйте ещё раз.',
  status_upload_pending: 'Ждём ваши фото: {count} из {ready_at}, можно до {max}. Осталось {minutes} мин.',
  status_upload_ready: 'Ваши фото у фотобудки: {count} (можно до {max}). Осталось {minutes} мин.',
  status_download_pending: 'Ваша фотография готовится и придёт сюда. Осталось {minutes} мин.',
  status_download_ready: 'Ваша фотография готова и уже в пути в этот чат.',
  status_completed: 'Сессия завершена. Спасибо!',
  status_expired: 'Время сессии истекло. Начните новую у фотобудки.',
  result_caption: 'Ваша фотография из фотобудки{event} 🎉',
  result_document: 'Та же фотография в полном качестве.',
  picture_link:
    'Фотография также хранится на своей странице до {date}: её можно сохранить или отправить позже.\n{url}',
  consent_prompt: 'Прежде чем отправлять фото, прочитайте это и нажмите «Я согласен»:\n\n{text}',
  consent_button: 'Я согласен',
  consent_first: 'Сначала нажмите «Я согласен», затем пришлите фото ещё раз.',
  consent_thanks: 'Спасибо! Теперь присылайте фото 📸',
  consent_accepted: '✅ Вы согласились.',
  consent_gone: 'Эта сессия закончилась. Отсканируйте QR-код на экране фотобудки ещё раз.',
};

const MESSAGES: Record<BotLang, Record<MessageKey, string>> = { en, ru };

export function t(lang: BotLang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (m, name: string) =>
    name in vars ? String(vars[name]) : m,
  );
}

/** The chat answer for a domain error code, or undefined when the code has none. */
export function errorKey(code: string): MessageKey | undefined {
  const key = `error_${code}`;
  return key in en ? (key as MessageKey) : undefined;
}

/**
 * The name of a session's event as the bot says it: nothing for the default event's placeholder
 * name (a server nobody named), so the messages read as before.
 */
export function eventLabel(event: { name: string; isDefault: boolean } | undefined): string {
  if (!event?.name || (event.isDefault && event.name === DEFAULT_EVENT_NAME)) return '';
  return event.name;
}
