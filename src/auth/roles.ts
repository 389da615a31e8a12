export const ROLES = ['moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

/** Admins can do everything moderators can. */
export const hasRole = (actual: Role, required: Role): boolean => required === 'moderator' || actual === 'admin';
