"""The products screen in a browser: a product created through the form shows in the list with its price in the
company's currency, a search by SKU finds it, its price is edited, a SKU another product holds is refused next to
the SKU field, and a deleted product goes to the trash and comes back; each screen takes at most two API calls and
fits a 360 px phone; in Russian every label is Russian and money follows Russian conventions."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import NARROW, Screens, assert_fits_a_phone, new_page
from tests.browser.test_app import assert_no_problems
from tests.browser.test_screens import MAX_CALLS, api_calls
from tests.browser.test_sensitive import log_in
from tests.factories import Company, signup
from tests.support import ApiClient, body


def euro_company(client: ApiClient, name: str) -> Company:
    """A company whose currency is the euro (the form's default currency comes from it)."""
    company = signup(client, company=name)
    version = body(client.get("/api/v1/tenant", token=company.owner.token))["version"]
    changed = client.patch("/api/v1/tenant", {"version": version, "currency": "EUR"}, token=company.owner.token)
    assert changed.status_code == 200, changed.body
    return company


def product_row(page: Any, name: str) -> Any:
    return page.locator(".product-list li", has=page.get_by_role("link", name=name, exact=True))


def field_error(form: Any, label: str) -> Any:
    """The error slot of a form's field, by the field's label."""
    return form.locator(".field", has=form.page.get_by_label(label, exact=True)).locator(".field-error")


def add_product(page: Any, *, name: str, sku: str, price: str, unit: str = "", tags: str = "") -> None:
    """Fill in and send the create form (labels exact: the search box's label names the name and SKU too)."""
    form = page.get_by_role("form", name=re.compile("Add a product|Новый товар"))
    form.get_by_label(re.compile("^(Name|Название)$")).fill(name)
    form.get_by_label(re.compile("^(SKU|Артикул)$")).fill(sku)
    form.get_by_label(re.compile("^(Price|Цена)$")).fill(price)
    if unit:
        form.get_by_label(re.compile("^(Unit|Единица)$")).fill(unit)
    if tags:
        form.get_by_label(re.compile("^(Tags|Метки)$")).fill(tags)
    form.get_by_role("button", name=re.compile("Add product|Добавить товар")).click()


def test_a_product_from_the_form_to_the_trash_and_back(browser: Any, live_url: str, app: Any,
                                                        screens: Screens) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Catalogue Bakery")
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Catalogue Bakery")

    # Reached from the navigation; empty at first, the currency preset to the company's.
    page.locator(".main-nav a", has_text="Products").click()
    page.locator("#page-title", has_text="Products").wait_for()
    expect(page.locator(".empty")).to_contain_text("No products yet")
    create = page.get_by_role("form", name="Add a product")
    expect(create.get_by_label("Currency")).to_have_value("EUR")
    expect(create.locator(".hint", has_text="For example 1500.50")).to_be_visible()

    add_product(page, name="Rye loaf", sku="RYE-001", price="12.50", unit="loaf", tags="bread, organic")
    page.locator(".toast", has_text="“Rye loaf” added").wait_for()
    expect(product_row(page, "Rye loaf").locator("[data-test=price]")).to_have_text("€12.50")
    expect(product_row(page, "Rye loaf")).to_contain_text("SKU: RYE-001")
    expect(create.get_by_label("Name", exact=True)).to_be_focused()  # ready for the next one
    expect(create.get_by_label("Currency")).to_have_value("EUR")

    # The exponent of the currency: yen have no minor unit, so 1500 is ¥1,500 and a decimal is refused.
    create.get_by_label("Currency").select_option("JPY")
    expect(create.locator(".hint", has_text="For example 1500")).not_to_contain_text(".")
    add_product(page, name="Matcha tin", sku="MT-9", price="12.5")
    price_input = create.get_by_label("Price", exact=True)
    expect(price_input).to_have_attribute("aria-invalid", "true")
    expect(field_error(create, "Price")).to_have_text("Enter a price like 1500")
    price_input.fill("1500")
    create.get_by_role("button", name="Add product").click()
    expect(product_row(page, "Matcha tin").locator("[data-test=price]")).to_have_text("¥1,500")
    page.reload()  # stored as sent: the list from the server shows the same
    expect(product_row(page, "Matcha tin").locator("[data-test=price]")).to_have_text("¥1,500")
    expect(product_row(page, "Rye loaf").locator("[data-test=price]")).to_have_text("€12.50")

    # A SKU another product holds: said next to the SKU field, which is marked and focused.
    create = page.get_by_role("form", name="Add a product")
    add_product(page, name="Rye loaf, sliced", sku="RYE-001", price="13")
    sku = create.get_by_label("SKU", exact=True)
    expect(sku).to_have_attribute("aria-invalid", "true")
    taken = "Another product already has this SKU."
    expect(field_error(create, "SKU")).to_have_text(taken)
    expect(create.locator(".form-status")).to_contain_text(taken)
    expect(sku).to_be_focused()
    expect(product_row(page, "Rye loaf, sliced")).to_have_count(0)

    # Search by SKU finds the one product.
    page.get_by_label("Search by name or SKU").fill("RYE-001")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=RYE-001"))
    expect(page.locator(".product-list li")).to_have_count(1)
    expect(product_row(page, "Rye loaf")).to_be_visible()
    screens.shoot(page, "search")

    # The card: edit the price.
    page.get_by_role("link", name="Rye loaf", exact=True).click()
    page.locator("#page-title", has_text="Rye loaf").wait_for()
    page.locator("summary", has_text="Edit").click()
    edit = page.get_by_role("form", name="Edit")
    expect(edit.get_by_label("Price", exact=True)).to_have_value("12.50")
    edit.get_by_label("Price", exact=True).fill("14.20")
    edit.get_by_role("button", name="Save").click()
    page.locator(".toast", has_text="Saved").wait_for()
    props = page.locator("dl.props")
    expect(props).to_contain_text("€14.20")
    expect(props).to_contain_text("loaf")
    stored = body(client.get("/api/v1/products?q=RYE-001", token=company.owner.token))["items"][0]
    assert stored["price"] == {"minor": 1420, "currency": "EUR"}, stored
    assert stored["tags"] == ["bread", "organic"], stored
    page.get_by_label("Note", exact=True).fill("Bake at 220 °C")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".timeline li").first).to_contain_text("Bake at 220 °C")
    screens.shoot(page, "card")

    # Delete (confirmed in a dialog): gone from the list, in the trash, restored from there.
    page.get_by_role("button", name="Delete", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Move Rye loaf to the trash?")
    dialog.get_by_role("button", name="Delete").click()
    page.locator(".toast", has_text="“Rye loaf” moved to the trash").wait_for()
    page.locator("#page-title", has_text="Products").wait_for()
    expect(product_row(page, "Matcha tin")).to_be_visible()
    expect(product_row(page, "Rye loaf")).to_have_count(0)
    page.get_by_role("link", name="Trash", exact=True).click()  # Settings → Data → Trash, on its products tab
    trashed = page.locator(".trash-list li", has_text="Rye loaf")
    expect(trashed).to_contain_text("€14.20")
    expect(trashed).to_contain_text("Deleted")
    screens.shoot(page, "trash")
    page.get_by_role("button", name="Restore: Rye loaf").click()
    page.locator(".toast", has_text="Rye loaf is back.").wait_for()
    expect(page.locator(".empty")).to_have_text("The trash is empty.")
    page.get_by_role("link", name="Products", exact=True).first.click()
    expect(product_row(page, "Rye loaf").locator("[data-test=price]")).to_have_text("€14.20")
    # Its SKU is its own again: a search by it finds it.
    page.get_by_label("Search by name or SKU").fill("rye-001")
    page.get_by_label("Search by name or SKU").press("Enter")
    page.wait_for_url(re.compile(r"q=rye-001"))
    expect(page.locator(".product-list li")).to_have_count(1)
    assert_no_problems(page)  # the 409 and 422 answers are expected ones
    page.context.close()


def test_product_screens_need_at_most_two_calls_and_fit_a_phone(browser: Any, live_url: str, app: Any,
                                                                 screens: Screens) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Counting Catalogue")
    token = company.owner.token
    made = client.post("/api/v1/products", {"name": "Sourdough starter kit with a very long name to wrap",
                                            "sku": "SDK-LONG-0001", "price": {"minor": 123456789, "currency": "EUR"},
                                            "tags": ["kits", "sourdough"]}, token=token)
    assert made.status_code == 201, made.body
    gone = body(client.post("/api/v1/products", {"name": "Old flour", "price": {"minor": 300, "currency": "EUR"}},
                            token=token))
    assert client.delete(f"/api/v1/products/{gone['id']}", token=token).status_code == 200
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Counting Catalogue")
    calls = {}
    for name, path, ready in [
        ("products", "/products", ".product-list li"),
        ("product-card", f"/products/{body(made)['id']}", ".timeline"),
        ("product-trash", "/settings/trash?type=products", ".trash-list li"),
        ("products-by-tag", "/products?tag=kits&sort=name", ".tag-filter"),
    ]:
        calls[name] = api_calls(page, path, ready)
        screens.shoot(page, name)
        assert_fits_a_phone(page, screens, f"{name}-phone")
    assert all(0 < len(seen) <= MAX_CALLS for seen in calls.values()), calls
    expect(page.locator(".product-list li")).to_have_count(1)

    # An administrator may purge the trash: asked first, then gone for good.
    page.goto("/#/products")
    page.get_by_role("link", name="Trash").click()  # the products' trash is Settings → Data → Trash's products tab
    page.get_by_role("button", name="Delete forever: Old flour").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete Old flour for good? This cannot be undone.")
    dialog.get_by_role("button", name="Delete forever").click()
    expect(page.locator(".empty")).to_have_text("The trash is empty.")
    assert body(client.get("/api/v1/trash/products", token=token))["items"] == []
    assert_no_problems(page)
    page.context.close()


def test_products_in_russian_on_a_small_phone(browser: Any, live_url: str, app: Any, screens: Screens) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Русская пекарня")
    page = new_page(browser, live_url, viewport=NARROW)
    log_in(page, company.owner, "Русская пекарня")
    page.get_by_label("Language", exact=True).select_option("ru")
    page.locator(".main-nav a", has_text="Товары").click()
    page.locator("#page-title", has_text="Товары").wait_for()
    expect(page.locator(".empty")).to_contain_text("Товаров пока нет")
    create = page.get_by_role("form", name="Новый товар")
    for label in ("Название", "Артикул", "Цена", "Валюта", "Единица", "Метки", "Описание"):
        expect(create.get_by_label(label, exact=True)).to_be_visible()
    expect(create.locator(".hint", has_text="Например, 1500,50")).to_be_visible()
    add_product(page, name="Бородинский", sku="BOR-1", price="1234,5")
    page.locator(".toast", has_text="«Бородинский» добавлен").wait_for()
    price = product_row(page, "Бородинский").locator("[data-test=price]").inner_text()
    assert re.fullmatch(r"1\s234,50\s€", price), price
    expect(product_row(page, "Бородинский")).to_contain_text("Артикул: BOR-1")
    add_product(page, name="Бородинский нарезной", sku="BOR-1", price="10")
    expect(field_error(create, "Артикул")).to_have_text(re.compile("^Этот артикул уже есть"))
    assert_fits_a_phone(page, screens, "list-ru")

    page.get_by_role("link", name="Бородинский", exact=True).click()
    page.locator("#page-title", has_text="Бородинский").wait_for()
    expect(page.get_by_role("button", name="Удалить", exact=True)).to_be_visible()
    expect(page.locator("summary", has_text="Изменить")).to_be_visible()
    expect(page.locator("dl.props")).to_contain_text("Цена")

    # Made of parts (#23): a part found by its SKU, its quantity with a decimal comma, labour; the card then shows
    # the price the server computed from them (2,00 € times 2,5 plus 1,00 € is 6,00 €), and the panel fits the phone.
    flour = client.post("/api/v1/products", {"name": "Мука ржаная", "sku": "FLOUR-1",
                                             "price": {"minor": 200, "currency": "EUR"}}, token=company.owner.token)
    assert flour.status_code == 201, flour.body
    page.locator("summary", has_text="Состав и работа").click()
    parts = page.get_by_role("form", name="Состав и работа")
    parts.get_by_role("searchbox", name="Добавить часть: название или артикул").fill("FLOUR-1")
    parts.get_by_role("button", name=re.compile("^Мука ржаная")).click()
    parts.get_by_label("Количество: Мука ржаная").fill("2,5")
    parts.get_by_label("Работа", exact=True).fill("1")
    parts.get_by_role("button", name="Сохранить состав").click()
    page.locator(".toast", has_text="Сохранено").wait_for()
    props = page.locator("dl.props")
    expect(props).to_contain_text(re.compile(r"6,00\s€"))
    expect(props.locator("ul.parts")).to_contain_text("Мука ржаная")
    expect(parts.get_by_label("Количество: Мука ржаная")).to_have_value(re.compile(r"^2[.,]5"))
    assert_fits_a_phone(page, screens, "card-ru")
    page.get_by_role("link", name="Все товары").click()  # noqa: RUF001
    page.get_by_role("link", name="Корзина", exact=True).click()
    expect(page.locator(".empty")).to_have_text("Корзина пуста.")
    assert not [p for p in page.problems if "missing text" in p], page.problems
    assert_no_problems(page)
    page.context.close()


def test_custom_values_on_the_card_and_a_required_one_on_the_form(browser: Any, live_url: str, app: Any) -> None:
    client = ApiClient(app)
    company = euro_company(client, "Custom Catalogue")
    token = company.owner.token
    for definition in ({"key": "origin", "label": "Origin", "type": "text", "required": True},
                       {"key": "weight", "label": "Weight", "type": "number"}):
        made = client.post("/api/v1/custom-fields", {"entity": "product", **definition}, token=token)
        assert made.status_code == 201, made.body
    baguette = body(client.post("/api/v1/products", {"name": "Baguette", "price": {"minor": 250, "currency": "EUR"},
                                                     "custom": {"origin": "France"}}, token=token))
    page = new_page(browser, live_url)
    log_in(page, company.owner, "Custom Catalogue")

    # The card names the values by their labels; the edit panel has every field.
    page.goto(f"/#/products/{baguette['id']}")
    expect(page.locator("dl.props")).to_contain_text("Origin")
    expect(page.locator("dl.props")).to_contain_text("France")
    page.locator("summary", has_text="Edit").click()
    page.get_by_label("Weight").fill("0.25")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("dl.props")).to_contain_text("0.25")

    # The create form asks for the required value (read when the form is first used).
    page.get_by_role("link", name="All products").click()
    create = page.get_by_role("form", name="Add a product")
    create.get_by_label("Name", exact=True).fill("Croissant")
    create.get_by_label("Price", exact=True).fill("1.20")
    expect(create.get_by_label("Origin *")).to_be_visible()
    create.get_by_role("button", name="Add product").click()
    expect(field_error(create, "Origin *")).not_to_be_empty()
    create.get_by_label("Origin *").fill("Austria")
    create.get_by_role("button", name="Add product").click()
    expect(product_row(page, "Croissant").locator("[data-test=price]")).to_have_text("€1.20")
    stored = body(client.get("/api/v1/products?q=Croissant", token=token))["items"][0]
    assert body(client.get(f"/api/v1/products/{stored['id']}", token=token))["custom"] == {"origin": "Austria"}
    assert_no_problems(page)
    page.context.close()
