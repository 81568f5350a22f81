// What an empty calls list or inbox says, to whom (as list-empty.js does for the record lists): that nothing comes
// until a line is connected only where none is (known to whoever may read the integrations; a reader who takes calls
// or starts conversations knows the lines they work on), the reader's scope where it is why they see none, and the way
// to connect one only for whoever may. Read only when the list is empty; a failed read leaves the plain words.
import { get } from '../js/api.js';
import { h } from '../js/dom.js';
import { t } from '../js/i18n.js';
import { can } from '../js/session.js';
import { empty } from '../js/ui.js';
import { readScope } from './list-empty.js';

const CONNECT = '#/settings/integrations';

/** The types of the company's active integrations that kind(type) accepts (kind from a setup module, loaded only
 * here), or null when the reader may not read the integrations or their first page does not tell. */
async function activeOfKind(load) {
  if (!can('integrations', 'read')) return null;
  const [kind, page] = await Promise.all([load(), get('/api/v1/integrations?limit=200')]);
  const found = page.items.filter((item) => item.status === 'active' && kind(item.type)).map((item) => item.type);
  return found.length || !page.next_cursor ? found : null;
}

/** Whether the company has a phone line connected: true, false, or null when the reader cannot tell. */
async function phoneLines() {
  const lines = await activeOfKind(async () => (await import('./telephony-setup.js')).isLine);
  if (lines) return lines.length > 0;
  // The lines the reader has an extension on: one means the company has a line; none tells nothing of others'.
  if (can('calls', 'create') && (await get('/api/v1/calls/lines')).items.length) return true;
  return null;
}

/** The channels (whatsapp, telegram, email, sms) the company's customers may write on: [] for none, null when the
 * reader cannot tell. */
async function messengerChannels() {
  if (can('conversations', 'create')) return (await get('/api/v1/conversations/lines')).items.map((line) => line.type);
  return activeOfKind(async () => (await import('./messenger-setup.js')).isMessenger);
}

async function quietly(read) {
  try { return await read(); } catch { return null; }
}

function connectLink(key) {
  return can('integrations', 'create') ? h('a', { href: CONNECT }, t(key)) : null;
}

/** An empty list of every call (no filter): why, in the words true for the reader. */
export async function emptyCalls() {
  const lines = await quietly(phoneLines);
  if (lines === false) return empty(t('calls.empty'), connectLink('calls.connectLine'));
  const scope = readScope('calls');
  if (scope !== 'all') return empty(t(`calls.empty.${scope}`));
  return empty(t(lines ? 'calls.emptyConnected' : 'calls.emptyAll'));
}

/** An empty inbox of open conversations (any channel): why, in the words true for the reader. */
export async function emptyInbox() {
  const channels = await quietly(messengerChannels);
  if (channels && !channels.length) return empty(t('inbox.empty'), connectLink('inbox.connect'));
  const scope = readScope('conversations');
  if (scope !== 'all') return empty(t(`inbox.empty.${scope}`));
  if (!channels) return empty(t('inbox.emptyOpen'));
  const named = [...new Set(channels)].map((channel) => t(`inbox.channel.${channel}`)).join(', ');
  return empty(t('inbox.emptyConnected', { channels: named }));
}
