"""A wholesaler's owner makes an API key for its 1C in Settings → API keys, in Russian on a phone, and sends the form
before ticking a permission: the form said "List should have at least 1 item after validation, not 0", the API's
English (a list's too_short had no Russian words). It now says to choose at least one, and the key is made once one
is ticked."""
# ruff: noqa: RUF001 (Russian screen texts)

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screens, fits_the_phone
from tests.browser.test_app import assert_no_problems
from tests.browser.test_sensitive import russian_phone
from tests.factories import IN_MOSCOW, signup
from tests.support import ApiClient


def test_an_api_key_without_permissions_is_refused_in_russian(browser: Any, live_url: str, app: Any,
                                                               screens: Screens) -> None:
    name = "СтройОпт Ключи"
    company = signup(ApiClient(app), company=name, **IN_MOSCOW)
    page = russian_phone(browser, live_url, company.owner, name)
    page.goto("/#/settings/api-keys")
    page.get_by_label("Название", exact=True).fill("1С:Управление торговлей")
    submit = page.get_by_role("button", name="Создать ключ")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/api-keys") and r.request.method == "POST") as sent:
        submit.click()
    assert sent.value.status == 422
    form = page.locator("form", has=submit)
    expect(form).to_contain_text("Выберите или добавьте хотя бы одно")
    assert "List should" not in form.inner_text()
    fits_the_phone(page, screens, "api-key-no-permissions")
    page.locator("summary", has_text="Работа с клиентами").first.click()  # the group folded on a phone
    page.get_by_label("Заказы: Создание", exact=True).check()
    submit.click()
    expect(page.get_by_text("Скопируйте ключ сейчас", exact=False)).to_be_visible()
    assert_no_problems(page)
    page.context.close()


def test_an_api_keys_permissions_read_in_words_on_its_row(browser: Any, live_url: str, app: Any,
                                                          screens: Screens) -> None:
    # The key's row listed "companies:read:all, contacts:read:all, orders:create:all, ..." on a Russian screen, the
    # API's codes; it reads what the role editor's boxes say.
    client = ApiClient(app)
    name = "СтройОпт Права ключа"
    company = signup(client, company=name, **IN_MOSCOW)
    made = client.post("/api/v1/api-keys", {"name": "1С", "permissions": [
        "orders:update:all", "orders:read:all", "orders:create:all", "companies:read:all", "contacts:read:own"]},
        token=company.owner.token)
    assert made.status_code == 201, made.body
    page = russian_phone(browser, live_url, company.owner, name)
    page.goto("/#/settings/api-keys")
    granted = page.locator("[data-test=api-key-permissions]")
    expect(granted).to_have_text(
        "Контакты: просмотр (свои); Компании: просмотр; Заказы: просмотр, создание, изменение")
    fits_the_phone(page, screens, "api-key-permissions")
    assert_no_problems(page)
    page.context.close()
