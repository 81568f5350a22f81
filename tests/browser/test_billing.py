"""Settings → Billing in the browser: the trial banner, usage, upgrading through the sandbox Stripe's Checkout page,
switching plan through its portal's confirmation, 402 answers shown as an upgrade prompt, and a suspended company's
read-only banner (English and Russian)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from chalicelib.campaigns import usage
from chalicelib.campaigns.models import CampaignUsage
from chalicelib.core import db
from chalicelib.core.config import settings
from chalicelib.core.tenancy import bind
from tests.billing import helpers
from tests.browser.conftest import Screens, assert_fits_a_phone, new_page, sign_in_by_request
from tests.browser.test_app import open_screen
from tests.factories import Company, add_member, signup, unique_email
from tests.support import ApiClient

# Refusals the screens show on purpose (the upgrade prompt's 402); the console reports each failed fetch.
EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of (401|402|404|409|422)")


def sign_in(page: Any, member: Any, company: str) -> None:
    if not sign_in_by_request(page, member.email, member.password):
        page.goto("/#/login")
        page.get_by_label("E-mail").fill(member.email)
        page.get_by_label("Password").fill(member.password)
        page.get_by_role("button", name=re.compile("Log in|Войти")).click()
    page.locator(".brand-name", has_text=company).wait_for()


def problems(page: Any) -> list[str]:
    return [p for p in page.problems if not EXPECTED.search(p)]


def test_a_trial_upgrades_through_checkout(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company: Company = signup(client, company="Billing Bakery")
    page = new_page(browser, live_url)
    sign_in(page, company.owner, "Billing Bakery")
    banner = page.locator("[data-test=billing-banner]")
    assert banner.inner_text().startswith("Trial: 14 days left.")

    open_screen(page, "/settings/billing", "Settings")
    assert page.locator("[data-test=billing-status]").inner_text() == "Trial"
    assert "1 of 100" in page.locator("[data-test=usage-users]").inner_text()
    assert page.locator("[data-test=plan-pro] .badge", has_text="On trial now").count() == 1
    assert page.locator("[data-test=choose-pro]").count() == 1  # a trial of pro can buy pro
    screens.shoot(page, "billing-trial")
    assert_fits_a_phone(page, screens, "billing-trial-phone")

    page.get_by_label("Users to pay for").fill("2")
    page.locator("[data-test=choose-start]").click()
    page.wait_for_url(re.compile(r"/stripe/checkout/cs_test_"))
    price = page.locator("[data-test=checkout-price]").inner_text()
    assert "15.00 USD per seat per month \u00d7 2 seat(s)" in price  # the sandbox's page writes &times;
    screens.shoot(page, "billing-sandbox-checkout")
    # The sandbox returns to the app's public URL (CRM_PUBLIC_URL, another port than this server's): sent on here.
    page.route(re.compile("^" + re.escape(settings.public_url) + "/.*"),
               lambda route: route.fulfill(status=302, headers={"Location": f"{live_url}/"}))
    page.locator("[data-test=pay]").click()
    page.wait_for_url(re.compile(r"#/settings/billing\?checkout=done$"))
    page.locator(".toast", has_text="Thank you! The subscription is active.").wait_for()
    assert page.locator("[data-test=billing-status]").inner_text() == "Active"
    assert "Start" in page.locator("[data-test=billing-plan] h2").inner_text()
    assert "2 seats paid." in page.locator("[data-test=billing-plan]").inner_text()
    assert page.locator("[data-test=billing-banner]").is_hidden()
    screens.shoot(page, "billing-active")
    # A subscribed company switches plan in a Stripe page that shows the change and confirms it (the seats kept).
    assert page.locator("[data-test=switch-start]").count() == 0 and page.locator("[data-test=choose-pro]").count() == 0
    page.locator("[data-test=switch-pro]").click()
    page.wait_for_url(re.compile(r"/stripe/portal/bps_"))
    assert "Pro per seat, monthly, 2 seat(s)" in page.locator("[data-test=portal-update]").inner_text()
    page.locator("[data-test=portal-confirm]").click()
    page.wait_for_url(re.compile(r"#/settings/billing\?plan=changed$"))
    page.locator(".toast", has_text="Plan change confirmed.").wait_for()
    page.locator("[data-test=billing-plan] h2", has_text="Pro").wait_for()
    assert page.locator("[data-test=switch-start]").count() == 1 and page.locator("[data-test=switch-pro]").count() == 0
    # A Russian long date ends with its own dot (the year's abbreviation): the sentence adds no second one.
    page.get_by_label("Language").select_option("ru")
    page.locator("[data-test=billing-plan]", has_text="Продлится").wait_for()
    assert ".." not in page.locator("[data-test=billing-plan]").inner_text()
    assert not problems(page), page.problems
    page.context.close()


def test_a_402_is_an_upgrade_prompt(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Free Bakery")
    add_member(client, company, role="agent")
    helpers.end_trial(company)  # free: 2 users, no API keys
    page = new_page(browser, live_url)
    sign_in(page, company.owner, "Free Bakery")
    assert page.locator("[data-test=billing-banner]").is_hidden()

    open_screen(page, "/settings/users", "Settings")
    invite = page.get_by_role("form", name="Invite a user")
    invite.get_by_label("E-mail").fill(unique_email("third"))
    invite.get_by_label("Name").fill("Third Baker")
    invite.get_by_role("button", name="Send invitation").click()
    prompt = invite.locator(".form-status.upgrade")
    prompt.wait_for()
    assert prompt.locator("[data-test=upgrade-message]").inner_text() == (
        "Your Free plan allows 2 users; 2 are in use. The Start plan has it.")
    screens.shoot(page, "billing-upgrade-prompt")
    prompt.locator("[data-test=upgrade-link]").click()
    page.locator("[data-test=billing-status]").wait_for()
    assert "2 of 2" in page.locator("[data-test=usage-users]").inner_text()
    assert page.locator("[data-test=usage-campaign_messages_per_month]").count() == 0  # free has no campaigns
    assert page.locator("[data-test=usage-automation_rules]").count() == 0  # nor automations

    page.get_by_label("Language").select_option("ru")
    page.locator("h2", has_text="Тарифы").wait_for()
    assert "Бесплатный" in page.locator("[data-test=billing-plan] h2").inner_text()
    screens.shoot(page, "billing-free-ru")
    assert not problems(page), page.problems
    page.context.close()


def test_the_campaign_messages_and_enabled_rules_show_against_the_plans_limits(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Mailing Bakery")
    rule = {"name": "Greet", "enabled": True, "trigger": {"type": "record.created", "entity": "deal"},
            "actions": [{"type": "notify", "users": ["owner"]}]}
    assert client.post("/api/v1/automations", rule, token=company.owner.token).status_code == 201
    ctx = helpers.context(company)
    with bind(ctx):
        now = db.utcnow()
        for moment in (now, now + timedelta(minutes=10)):  # whichever month the screen is read in (no time of day)
            CampaignUsage(*usage.usage_key(ctx, moment), messages=1234).save()
    page = new_page(browser, live_url)
    sign_in(page, company.owner, "Mailing Bakery")
    open_screen(page, "/settings/billing", "Settings")
    line = page.locator("[data-test=usage-campaign_messages_per_month]")
    assert "Campaign messages a month" in line.inner_text() and "1,234 of 50,000" in line.inner_text()  # pro's trial
    assert line.locator("meter").get_attribute("value") == "1234"
    assert "Enabled automation rules" in page.locator("[data-test=usage-automation_rules]").inner_text()
    assert "1 of 50" in page.locator("[data-test=usage-automation_rules]").inner_text()  # pro's 50
    page.get_by_label("Language").select_option("ru")
    page.locator("h2", has_text="Тарифы").wait_for()
    shown = re.sub(r"\s", " ", line.inner_text())  # Russian groups thousands with a no-break space
    assert "Сообщений рассылок в месяц" in shown and "1 234 из 50 000" in shown
    assert not problems(page), page.problems
    page.context.close()


def test_a_suspended_company_sees_why_it_cannot_write(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Overdue Bakery")
    agent = add_member(client, company, role="agent")
    helpers.send(client, "customer.subscription.created",
                 helpers.subscription(helpers.customer(client, company), status="unpaid"))
    page = new_page(browser, live_url)
    sign_in(page, agent, "Overdue Bakery")
    banner = page.locator("[data-test=billing-banner]")
    assert "read-only" in banner.inner_text() and banner.locator("a").count() == 0  # an agent cannot pay
    open_screen(page, "/contacts", "Contacts")
    page.get_by_label("First name").fill("Refused")
    page.get_by_role("button", name="Add contact").click()
    message = page.locator("[data-test=upgrade-message]").first
    message.wait_for()
    assert "read-only" in message.inner_text()
    assert page.get_by_text("Ask your company\u2019s owner to upgrade.").count() >= 1
    assert not problems(page), page.problems
    page.context.close()


def test_a_company_past_its_storage_sees_its_files_and_why_it_cannot_add_more(
        browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = signup(client, company="Recorded Bakery")
    helpers.end_trial(company)  # free: 500 MB
    helpers.set_usage(company, users=1, pipelines=1, storage_bytes=600 * 1024 * 1024)  # recordings kept past it
    page = new_page(browser, live_url)
    sign_in(page, company.owner, "Recorded Bakery")
    open_screen(page, "/settings/billing", "Settings")
    assert "600 of 500" in page.locator("[data-test=usage-storage_mb]").inner_text()
    assert "more MB of storage than its plan allows" in page.locator("[data-test=over-storage_mb]").inner_text()
    screens.shoot(page, "billing-over-storage")
    page.get_by_label("Language").select_option("ru")
    page.locator("h2", has_text="Тарифы").wait_for()
    assert "больше, чем позволяет тариф (МБ хранилища)" in page.locator("[data-test=over-storage_mb]").inner_text()
    assert not problems(page), page.problems
    page.context.close()


def test_a_failed_payment_shows_owners_the_grace_and_agents_nothing(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = signup(client, company="Arrears Bakery")
    agent = add_member(client, company, role="agent")
    customer = helpers.customer(client, company)
    helpers.send(client, "customer.subscription.created", helpers.subscription(customer, status="active"))
    helpers.send(client, "invoice.payment_failed", helpers.invoice(customer, paid=False))
    helpers.send(client, "customer.subscription.updated", helpers.subscription(customer, status="past_due"))
    assert helpers.billing(client, company)["status"] == "past_due"
    page = new_page(browser, live_url)
    sign_in(page, company.owner, "Arrears Bakery")
    banner = page.locator("[data-test=billing-banner]")
    assert banner.inner_text().startswith("The last payment failed. Pay by ")
    assert banner.locator("a[href='#/settings/billing']").count() == 1  # the owner is shown the way to pay
    page.context.close()
    page = new_page(browser, live_url)
    sign_in(page, agent, "Arrears Bakery")
    assert page.locator("[data-test=billing-banner]").is_hidden()  # still writable: an agent is not bothered
    assert not problems(page), page.problems
    page.context.close()
