export const ROLES = ['guest', 'booth', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { guest: 0, booth: 1, admin: 2 };

export function atLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}
