/** The roles an account can have : a citizen applies, a clerk works a department's queue, an admin runs the system. */
export const Roles = {
  citizen: 'citizen',
  clerk: 'clerk',
  admin: 'admin',
} as const;
export type Role = (typeof Roles)[keyof typeof Roles];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(Roles, value);
}
