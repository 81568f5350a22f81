// The company's users for every picker and every name in the web app: read once a session, all of them, the list's
// pages followed by their cursor (200 a page, the most it answers). Nine screens each read the first 200 for
// themselves, so in a company of 205 the 205th could not be given a chat, a task or a deal, nor named in a report.
// One read serves every screen after it; a change of people made on the Users screen forgets it.
import { get, query } from './api.js';
import { can, onSessionChange } from './session.js';

const PAGE = 200; // the most GET /api/v1/users answers at once
let reading = null;

onSessionChange(() => { reading = null; }); // another sign-in may be another company

async function everyone() {
  const users = [];
  let cursor = null;
  do {
    const page = await get(`/api/v1/users${query({ limit: PAGE, cursor })}`);
    users.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return users;
}

/**
 * The company's users ({id, name, status, role, team_id, reads...}), a request per 200 of them once a session; none
 * for a role that may not list them. A failed read is tried again by the next caller.
 */
export function companyUsers() {
  if (!can('users', 'read')) return Promise.resolve([]);
  reading = reading || everyone().catch((error) => { reading = null; throw error; });
  return reading;
}

/** Forget the users read, so the next picker reads them afresh (a user invited, changed or deactivated here). */
export function forgetUsers() {
  reading = null;
}

/** Whether a user's role reads a kind of work ('tickets', 'tasks', 'conversations'...): the API refuses to hand it
 * to one whose role does not (cannot_read_…). */
export function reads(user, entity) {
  return (user?.reads || []).includes(entity);
}
