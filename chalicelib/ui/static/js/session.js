// Who is signed in: the user, their company and what they may do. Nothing here is persisted.
import { get, maySession, post, refreshSession, useSession } from './api.js';
import { useCompanyZone } from './format.js';

export const session = { user: null, tenant: null, permissions: [], seesSensitive: false, limited: null };
const listeners = new Set();

/** Be told when the session changes (sign-in, profile or company edits, sign-out). */
export function onSessionChange(listener) {
  listeners.add(listener);
}

function notify() {
  useCompanyZone(session.tenant?.timezone);  // times of the company's work on its clock (format.js)
  for (const listener of listeners) listener(session);
}

/** True when signed in. */
export function signedIn() {
  return session.user !== null;
}

/** May the user perform action on entity at any scope? */
export function can(entity, action) {
  const prefix = `${entity}:${action}:`;
  return session.permissions.some((permission) => permission.startsWith(prefix));
}

/** Take a session answer (sign-up, sign-in, refresh), then load permissions. */
export async function begin(answer) {
  useSession(answer);
  session.limited = answer.must_change_password ? 'password' : (answer.must_enroll_totp ? 'totp' : null);
  const me = await get('/api/v1/me');
  Object.assign(session, { user: me.user, tenant: me.tenant, permissions: me.permissions,
    seesSensitive: me.sees_sensitive });
  notify();
  return session;
}

/** Restore the session from the refresh cookie; false when there is none. */
export async function restore() {
  if (!maySession()) return false;  // no session began here since the last sign-out: no refresh, no 401
  try {
    return Boolean(await begin(await refreshSession()));
  } catch {
    forget();
    return false;
  }
}

/** Update the cached user or company after an edit. */
export function update(changes) {
  Object.assign(session, changes);
  notify();
}

/** Drop everything held in memory about the session. */
export function forget() {
  useSession(null);
  Object.assign(session, { user: null, tenant: null, permissions: [], seesSensitive: false, limited: null });
  notify();
}

/** Sign out of this device or of every device. */
export async function signOut(everywhere = false) {
  try {
    await post('/api/v1/auth/logout', { everywhere });
  } finally {
    forget();
  }
}
