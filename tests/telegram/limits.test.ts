import { describe, expect, it } from 'vitest';
import type { SessionWithCounts } from '@/db/queries';
import { ApiError } from '@/lib/errors';
import { countText, errorText, statusText } from '@/lib/telegram/bot';
import { useTestEnv } from '../support/env';

// The environment's limits (the default event's) differ from the session's own: the bot's
// messages must count with the session's, as the API does.
useTestEnv({ MAX_UPLOADED_PHOTOS: '5', READY_AT_PHOTOS: '3' });

function session(photoCount: number): SessionWithCounts {
  const now = new Date();
  return {
    id: '0b8f6c9e-3c1f-4b7e-9a51-2a7d0f1d4c11',
    type: 'upload',
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(now.getTime() + 600_000),
    telegramUserId: null,
    telegramUsername: null,
    data: {},
    version: 0,
    eventId: 'e',
    boothId: null,
    maxPhotos: 8,
    readyAt: 2,
    layout: null,
    photoCount,
    hasResult: false,
    pictureToken: null,
  };
}

describe('bot messages count with the session own limits (its event)', () => {
  it('count, status and the limit error use max_photos and ready_at of the session', () => {
    expect(countText('en', session(1))).toContain('1 of 2 — up to 8');
    expect(countText('en', session(2))).toContain('You can send 6 more');
    expect(countText('en', session(8))).toContain('8 is the most');
    expect(statusText('en', session(1))).toContain('1 of 2, up to 8');
    const err = new ApiError('photo_limit_reached', 'full');
    expect(errorText('en', err, undefined, session(8))).toContain('already has 8 photos');
    // Without a session at hand: the environment's (the default event's first values).
    expect(errorText('en', err)).toContain('already has 5 photos');
  });
});
