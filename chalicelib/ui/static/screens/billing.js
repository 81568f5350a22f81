// Settings → Billing: the plan and where its subscription stands, usage against the limits, upgrading through
// Stripe Checkout, and Stripe's Customer Portal. Two API calls: the billing overview and the plan list.
import { get, post } from '../js/api.js';
import { h, mount } from '../js/dom.js';
import { getLang, t } from '../js/i18n.js';
import { formatMoney } from '../js/format.js';
import { can, session, update } from '../js/session.js';
import { field, heading, toast, toastError } from '../js/ui.js';
import { settingsTabs } from './settings-nav.js';

// campaign_messages_per_month: this month's (UTC), shown where the plan has campaigns or the company sent some;
// automation_rules: the enabled ones, shown where the plan has automations or the company has some on.
const COUNTED = ['users', 'contacts', 'pipelines', 'automation_rules', 'storage_mb', 'campaign_messages_per_month'];
const SHOWN_LIMITS = ['users', 'contacts', 'pipelines', 'api_requests_per_minute'];
const STATUS_BADGE = { trialing: 'badge-warn', active: 'badge-ok', past_due: 'badge-warn', suspended: 'badge-off',
  canceled: 'badge-off' };

function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(getLang(), { dateStyle: 'long' }) : '';
}

function daysLeft(iso) {
  return Math.max(0, Math.ceil((new Date(iso).getTime() - Date.now()) / 86_400_000));
}

function capital(text) {
  return text.replace(/^./, (c) => c.toUpperCase());
}

function amount(n) {
  return new Intl.NumberFormat(getLang()).format(n);
}

function standing(billing) {
  const lines = [];
  if (billing.status === 'trialing' && billing.trial_ends_at) {
    lines.push(t('billing.trialLeft', { n: daysLeft(billing.trial_ends_at), date: day(billing.trial_ends_at) }));
  } else if (billing.plan === 'free' && billing.trial_ends_at && billing.status === 'active') {
    lines.push(t('billing.trialEnded', { date: day(billing.trial_ends_at) }));
  }
  if (billing.status === 'past_due') lines.push(t('billing.graceUntil', { date: day(billing.grace_ends_at) }));
  if (billing.read_only) lines.push(t('billing.readOnly'));
  if (billing.current_period_end && !billing.read_only) {
    lines.push(t(billing.cancel_at_period_end ? 'billing.endsOn' : 'billing.renews', { date: day(billing.current_period_end) }));
  }
  if (billing.seats) lines.push(t('billing.seatsInUse', { seats: billing.seats }));
  return h('section', { class: 'panel', 'data-test': 'billing-plan' },
    h('h2', {}, t('billing.plan'), ': ', t(`plan.${billing.plan}`), ' ',
      h('span', { class: `badge ${STATUS_BADGE[billing.status] || ''}`, 'data-test': 'billing-status' },
        t(`billing.status.${billing.status}`))),
    lines.map((line) => h('p', {}, line)));
}

function usage(billing) {
  // Over a limit: a provider's file (a call recording) stored past the plan's storage, or a plan with fewer than the
  // company holds. Nothing is deleted; adding more of it is refused until the company is back within the plan.
  const over = (billing.over_limits || []).map((name) => h('p', { class: 'notice', role: 'status', 'data-test': `over-${name}` },
    t('billing.overLimit', { what: t(`limit.${name}`) })));
  // A limit of 0 is a feature the plan lacks (campaigns on free): not shown unless some was used before a downgrade.
  const shown = COUNTED.filter((name) => billing.usage[name] && (billing.usage[name].limit !== 0 || billing.usage[name].used));
  return h('section', { class: 'panel' }, h('h2', {}, t('billing.usage')), over, h('dl', { class: 'usage' },
    shown.map((name) => {
      const { used, limit } = billing.usage[name];
      const text = limit === null ? t('billing.unlimited', { used: amount(used) })
        : t('billing.of', { used: amount(used), limit: amount(limit) });
      return h('div', { 'data-test': `usage-${name}` }, h('dt', {}, capital(t(`limit.${name}`))),
        h('dd', {}, limit === null ? null : h('meter', { min: 0, max: limit, low: limit * 0.8, high: limit * 0.95,
          optimum: 0, value: Math.min(used, limit), 'aria-label': t(`limit.${name}`) }), h('span', {}, text)));
    })));
}

function price(plan, currency) {
  const found = plan.prices.find((p) => p.currency === currency) || plan.prices[0];
  return found ? t('billing.perSeat', { price: formatMoney(found.unit_amount, found.currency) }) : t('billing.freePrice');
}

function planCard(plan, billing, currency, choose, switchTo) {
  const current = plan.key === billing.plan;
  const limits = SHOWN_LIMITS.map((name) => `${capital(t(`limit.${name}`))}: ${
    plan.limits[name] === null ? '∞' : amount(plan.limits[name])}`);
  // A trial tries a paid plan: it can still be bought.
  const choosable = plan.paid && choose && (!current || billing.status === 'trialing');
  return h('article', { class: ['plan-card', current && 'current'], 'data-test': `plan-${plan.key}` },
    h('h3', {}, t(`plan.${plan.key}`)), h('p', { class: 'price' }, price(plan, currency)),
    h('ul', {}, limits.map((line) => h('li', {}, line)), plan.features.map((name) => h('li', {}, t(`feature.${name}`)))),
    current ? h('span', { class: 'badge badge-ok' }, t(billing.status === 'trialing' ? 'billing.trying' : 'billing.current'))
      : null,
    choosable ? h('button', { type: 'button', class: 'primary', 'data-test': `choose-${plan.key}`,
      onClick: (event) => choose(plan, event.currentTarget) }, t('billing.choose', { plan: t(`plan.${plan.key}`) })) : null,
    // A subscription in force switches plan in a Stripe page that shows the prorated difference and confirms it.
    plan.paid && switchTo && !current ? h('button', { type: 'button', class: 'secondary', 'data-test': `switch-${plan.key}`,
      onClick: (event) => switchTo(plan, event.currentTarget) }, t('billing.switch', { plan: t(`plan.${plan.key}`) })) : null);
}

async function leaveFor(path, body, button) {
  button.disabled = true;
  try {
    const { url } = await post(path, body);
    location.assign(url);
  } catch (error) {
    button.disabled = false;
    toastError(error);
  }
}

function plansPanel(plans, billing) {
  const owner = can('billing', 'update');
  const subscribed = Boolean(billing.subscription_id) && ['active', 'past_due', 'suspended'].includes(billing.status);
  const users = billing.usage.users.used;
  const seats = field({ name: 'seats', label: t('billing.seats'), type: 'number', value: Math.max(1, users), min: Math.max(1, users),
    hint: t('billing.seatsHint', { n: users }) });
  const choose = owner && !subscribed ? (plan, button) => leaveFor('/api/v1/billing/checkout', {
    plan: plan.key, seats: Number(seats.querySelector('input').value) || undefined }, button) : null;
  const switchTo = owner && subscribed ? (plan, button) => leaveFor('/api/v1/billing/plan', { plan: plan.key }, button)
    : null;
  const portal = owner ? h('button', { type: 'button', class: subscribed ? 'primary' : 'secondary', 'data-test': 'portal',
    onClick: (event) => leaveFor('/api/v1/billing/portal', undefined, event.currentTarget) }, t('billing.portal')) : null;
  return h('section', { class: 'panel' }, h('h2', {}, t('billing.plans')),
    owner ? h('div', { class: 'billing-actions' }, choose ? seats : null, portal) : h('p', { class: 'muted' }, t('billing.ownerOnly')),
    owner ? h('p', { class: 'hint' }, t('billing.portalHint')) : null,
    h('div', { class: 'plan-cards' }, plans.items.map((plan) => planCard(plan, billing, plans.currency, choose, switchTo))));
}

/** #/settings/billing. */
export async function billing(root, { query, alive }) {
  const [found, plans] = await Promise.all([get('/api/v1/billing'), get('/api/v1/billing/plans')]);
  if (!alive()) return;
  const tenant = session.tenant || {};
  if (tenant.billing_status !== found.status || tenant.plan !== found.plan) {
    update({ tenant: { ...tenant, plan: found.plan, billing_status: found.status, trial_ends_at: found.trial_ends_at,
      grace_ends_at: found.grace_ends_at } });
  }
  if (query.get('checkout') === 'done') toast(t('billing.thanks'));
  if (query.get('checkout') === 'canceled') toast(t('billing.checkoutCanceled'));
  if (query.get('plan') === 'changed') toast(t('billing.planChanged'));
  mount(root, heading(t('settings.title')), settingsTabs('billing'), standing(found), usage(found),
    plansPanel(plans, found));
}
