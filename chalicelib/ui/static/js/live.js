// Live updates. While signed in, each tab keeps one WebSocket to the live-updates API, and every message the
// server pushes becomes a `crm:live` event on window whose detail is the message ({ type: '...', ... }), so a
// screen subscribes with window.addEventListener('crm:live', handler) and removes the handler when it goes.
// The socket opens with a single-use ticket from the API (the access token never goes into a URL, which ends
// up in logs) and reopens with a new ticket, after a growing, jittered pause, whenever it closes. No polling.
import { post } from './api.js';
import { onSessionChange, session, signedIn } from './session.js';

const PING_MS = 8 * 60 * 1000; // API Gateway closes a socket after 10 idle minutes (background tabs fire late)
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60 * 1000;

let wanted = false;
let generation = 0; // changes with every start and stop: a ticket asked for before them is not used
let opening = false;
let socket = null;
let retryTimer = null;
let pingTimer = null;
let failures = 0;

function dispatch(data) {
  let message;
  try { message = JSON.parse(data); } catch { return; }
  // A pong only proves the socket works; it is no news for a screen.
  if (!message || typeof message.type !== 'string' || message.type === 'pong') return;
  window.dispatchEvent(new CustomEvent('crm:live', { detail: message }));
}

function retry() {
  if (!wanted || retryTimer) return;
  const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures) * (0.5 + Math.random() / 2);
  failures += 1;
  retryTimer = setTimeout(() => { retryTimer = null; open(); }, delay);
}

function listen(ws) {
  ws.addEventListener('open', () => {
    failures = 0;
    pingTimer = setInterval(() => ws.send('{"type":"ping"}'), PING_MS);
  });
  ws.addEventListener('message', (event) => dispatch(event.data));
  ws.addEventListener('close', () => {
    if (socket !== ws) return; // closed on purpose by stop()
    clearInterval(pingTimer);
    pingTimer = null;
    socket = null;
    retry();
  });
}

async function open() {
  if (!wanted || socket || opening) return;
  opening = true;
  const round = generation;
  let answer;
  try {
    answer = await post('/api/v1/live/ticket');
  } catch {
    // Offline, or the API is unavailable; an ended session stops everything through onSessionChange.
    answer = null;
  } finally {
    opening = false;
  }
  if (round !== generation) { open(); return; } // signed out (and perhaps in as someone else) meanwhile
  if (!answer) { retry(); return; }
  if (socket) return;
  const address = new URL(answer.url, location.href);
  address.searchParams.set('ticket', answer.ticket);
  socket = new WebSocket(address.href);
  listen(socket);
}

function start() {
  if (wanted) return;
  generation += 1;
  wanted = true;
  failures = 0;
  open();
}

function stop() {
  if (wanted) generation += 1;
  wanted = false;
  clearTimeout(retryTimer);
  clearInterval(pingTimer);
  retryTimer = pingTimer = null;
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
}

// Signed in (and not held on the password or second-factor screen): live; signed out: closed.
onSessionChange(() => (signedIn() && !session.limited ? start() : stop()));
// Back online: reconnect now rather than after the pause.
window.addEventListener('online', () => {
  if (!wanted || socket) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  failures = 0;
  open();
});
