import type { EventLocale, EventTheme, EventWifi } from './event';
import type { Layout, PhotoType, SessionStatus, SessionType } from './session';

/** The JSON the API answers (docs/api.md), as every client and the server itself type it. */

export interface SessionJson {
  id: string;
  type: SessionType;
  status: SessionStatus;
  created_at: string;
  updated_at: string;
  expires_at: string;
  telegram_user_id: number | null;
  telegram_username: string | null;
  data: Record<string, unknown>;
  photo_count: number;
  max_photos: number;
  ready_at: number;
  has_result: boolean;
  url: string;
  event_id: string;
  /** The paired booth that made it; null for BOOTH_TOKEN. */
  booth_id: string | null;
  /** The take-home link of the session's picture (`<base>/p/<token>`); null until there is one. */
  picture_url: string | null;
  /** The layout the guest chose on the phone (one of the event's layouts); null until chosen. */
  layout: Layout | null;
}

/** A session in the admin list: everything but `data` (up to 16 KiB each; GET /api/session/:id has it). */
export type SessionListItemJson = Omit<SessionJson, 'data'> & {
  /** `data` is not `{}`. */
  has_data: boolean;
};

/** GET /api/sessions/list: one page, newest first; pass `next_before` as `?before=` for the next. */
export interface SessionListJson {
  sessions: SessionListItemJson[];
  next_before: string | null;
}

/**
 * `event: changed` of GET /api/sessions/events: the sessions that changed since the last event.
 * Each id is either in `sessions` (as the list shows it now) or gone (expired or deleted).
 */
export interface SessionsChangedJson {
  ids: string[];
  sessions: SessionListItemJson[];
}

export interface PhotoJson {
  id: string;
  session_id: string;
  photo_type: PhotoType;
  order_index: number;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
  telegram_file_id: string | null;
  created_at: string;
  url: string;
  thumb_url: string;
}

/** GET /api/sessions/stats. */
export interface StatsJson {
  active_sessions: number;
  photos_stored: number;
  bytes_stored: number;
  /** Free space on the data directory's disk. */
  disk_free_bytes: number;
  /** Below this much free space uploads are refused. */
  disk_floor_bytes: number;
}

/** POST /api/sessions/cleanup. */
export interface CleanupJson {
  deleted_sessions: number;
  deleted_photos: number;
  /** Pictures past their event's retention (their own files are in freed_bytes too). */
  deleted_pictures: number;
  freed_bytes: number;
}

/** A finished picture kept on its take-home link (GET /api/pictures/:token). */
export interface PictureJson {
  id: string;
  event_id: string;
  /** Null once its session is gone: the picture outlives it. */
  session_id: string | null;
  created_at: string;
  expires_at: string;
  width: number;
  height: number;
  bytes: number;
  /** The take-home page, `<base>/p/<token>`. */
  url: string;
  image_url: string;
}

/** An event (GET /api/events/:id): a wedding, a party; its rules, branding and Wi-Fi. */
export interface EventJson {
  id: string;
  name: string;
  is_default: boolean;
  starts_at: string | null;
  ends_at: string | null;
  locale: EventLocale;
  caption: string | null;
  theme: EventTheme;
  layouts: Layout[];
  max_photos: number;
  ready_at: number;
  session_ttl_minutes: number;
  retention_days: number;
  print_qr: boolean;
  /** The slideshow (/g/<token>/show) shows a QR of the host gallery in a corner (default false). */
  slideshow_qr: boolean;
  consent_text: string | null;
  wifi: EventWifi | null;
  has_frame: boolean;
  created_at: string;
  updated_at: string;
}

/** A kiosk paired to an event (GET /api/booths). */
export interface BoothJson {
  id: string;
  name: string;
  event_id: string;
  /** Its last authenticated request; null when it was never paired. */
  last_seen_at: string | null;
  /** Seen in the last 60 s. */
  online: boolean;
}

/** A pairing code for a booth: single use, valid 10 minutes; `url` is `<base>/booth?pair=<code>`. */
export interface PairingJson {
  code: string;
  url: string;
  expires_at: string;
}
