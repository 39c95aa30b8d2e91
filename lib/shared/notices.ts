/**
 * What a guest link that no longer leads to photos says (keys of the `guest` messages). The 410
 * page that proxy.ts sends (lib/expired-html.ts) and the guest page (GuestGone) show the same.
 */
export const GONE_NOTICES = {
  expired: { icon: '⌛', title: 'expiredTitle', body: 'expiredBody' },
  deleted: { icon: '🔍', title: 'notFoundTitle', body: 'notFoundBody' },
} as const;

export type GoneReason = keyof typeof GONE_NOTICES;
