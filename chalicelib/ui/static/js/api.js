// The JSON API client. The access token lives only in this module's memory: a reload loses it and the
// session is restored from the HttpOnly refresh cookie, which scripts cannot read.

let accessToken = null;
let refreshing = null;
let onSignedOut = () => {};

/** An answer in the API's error shape (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || 'Request failed');
    this.status = status;
    this.code = error.code || 'error';
    this.details = Array.isArray(error.details) ? error.details : [];
    this.requestId = error.request_id || null;
  }
}

// A mark that a session may exist (the refresh cookie is HttpOnly, so the script cannot see it): a page load
// without it asks nothing, where a refresh would only log a 401 as a console error. It holds no secret (the
// cookie alone restores a session); set by a session answer, dropped when the session ends or is signed out.
const MAY_HAVE_SESSION = 'crm.session';

function markSession(on) {
  try {
    if (on) localStorage.setItem(MAY_HAVE_SESSION, '1'); else localStorage.removeItem(MAY_HAVE_SESSION);
  } catch { /* storage refused (private mode): the page then always asks */ }
}

/** False when no session was started in this browser since the last sign-out (nothing to restore). */
export function maySession() {
  try {
    return localStorage.getItem(MAY_HAVE_SESSION) !== null;
  } catch {
    return true;
  }
}

/** Remember the tokens of a session answer (only the access token; the refresh token is a cookie). */
export function useSession(session) {
  accessToken = session ? session.access_token : null;
  markSession(Boolean(session));
}

/** True while an access token is held. */
export function hasToken() {
  return accessToken !== null;
}

/** Called when the session has ended on the server (revoked, expired refresh). */
export function onSessionEnded(handler) {
  onSignedOut = handler;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: 'network_error', message: 'The server cannot be reached.' });
  }
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    const error = payload && payload.error ? payload.error : { code: 'http_' + response.status, message: response.statusText };
    throw new ApiError(response.status, error);
  }
  return payload;
}

// One refresh at a time, across tabs too (Web Locks): a second refresh with a rotated-away cookie would
// look like token reuse and end the session.
function lockedRefresh() {
  const run = () => send('POST', '/api/v1/auth/refresh', {});
  return navigator.locks ? navigator.locks.request('crm-refresh', run) : run();
}

/** Rotate the refresh cookie for a new access token; resolves to the session answer. */
export function refreshSession() {
  if (!refreshing) {
    refreshing = lockedRefresh()
      .then((session) => { useSession(session); return session; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

const RECOVERABLE = new Set(['token_expired', 'token_stale']);
const ENDED = new Set(['token_revoked', 'invalid_token', 'unauthenticated', 'invalid_refresh_token',
  'refresh_token_reused']);

/** Call the API; an expired token is refreshed once and the call retried. */
export async function api(method, path, body) {
  try {
    return await send(method, path, body, accessToken);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || accessToken === null) throw error;
    if (RECOVERABLE.has(error.code)) {
      try {
        await refreshSession();
      } catch (refreshError) {
        endSession();
        throw refreshError;
      }
      return send(method, path, body, accessToken);
    }
    if (ENDED.has(error.code)) endSession();
    throw error;
  }
}

function endSession() {
  accessToken = null;
  markSession(false);
  onSignedOut();
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
