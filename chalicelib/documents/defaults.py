"""The built-in template of each document type in English, Russian and German: what a company prints until it writes
its own, and what the template editor starts from. Each is Jinja2 text making the HTML the PDF is laid out from."""

from __future__ import annotations

from typing import Any

_WORDS: dict[str, dict[str, Any]] = {
    "en": {"no": "No.", "of": "dated", "seller": "Seller", "customer": "Customer", "tax_id": "Tax ID",
           "reg": "Registration No.", "bank": "Bank", "account": "Account", "code": "BIC / SWIFT",
           "corr": "Correspondent account", "iban": "IBAN", "item": "Item", "qty": "Qty", "price": "Price",
           "amount": "Amount", "tax": "Tax", "subtotal": "Subtotal", "total": "Total",
           "director": "Authorized signature",
           "received": "Received by", "delivered": "Delivered by", "valid": "This quote is valid for 30 days.",
           "pay": "Please pay within 5 banking days, quoting the invoice number.", "deal": "Re",
           "paid": "Paid in full. Thank you!",
           "unit": "Unit", "discount": "Discount", "discounts": "Discounts", "untaxed_subtotal": "Subtotal",
           "untaxed": "No tax", "supply": "Date of supply", "incl": "incl."},
    "ru": {"no": "№", "of": "от", "seller": "Поставщик", "customer": "Покупатель", "tax_id": "ИНН", "kpp": "КПП",
           "reg": "ОГРН / КПП", "bank": "Банк", "account": "Расчётный счёт", "code": "БИК",
           "corr": "Корр. счёт", "iban": "IBAN", "item": "Наименование", "qty": "Кол-во", "price": "Цена",  # noqa: RUF001
           "amount": "Сумма", "tax": "НДС", "subtotal": "Итого без НДС", "total": "Итого к оплате",
           "director": "Руководитель", "received": "Груз получил", "delivered": "Груз отпустил",
           "valid": "Предложение действительно 30 дней.",
           "pay": "Оплатить в течение 5 банковских дней, указав номер счёта.", "deal": "По сделке",
           "paid": "Оплачено полностью. Спасибо!",
           "unit": "Ед.", "discount": "Скидка", "discounts": "Скидки", "untaxed_subtotal": "Итого",
           "untaxed": "Без НДС", "count": "Всего наименований", "sum": "на сумму",  # noqa: RUF001
           "supply": "Дата поставки", "incl": "В том числе",  # noqa: RUF001
           # a party's address follows its INN and КПП on the same line, as Russian accountants' forms write it
           "address_inline": True},
    # German: the words a German client's accounts department looks for (section 14 (4) UStG): the USt-IdNr. (or the
    # Steuernummer, when the seller's number is not a VAT ID), the Leistungsdatum, the net, each rate's VAT and the
    # gross. Keys only German has: "pos" (the line's column), "dated" (the date on a line of its own under the
    # title), "tax_no" (the Steuernummer), "plus" (each rate's VAT: "zzgl. 19 % USt."), "bank_details".
    "de": {"no": "Nr.", "pos": "Pos.", "of": "vom", "seller": "Anbieter", "customer": "Kunde",
           "tax_id": "USt-IdNr.", "tax_no": "Steuernummer", "reg": "Handelsregister", "bank": "Bank",
           "bank_details": "Bankverbindung", "account": "Konto", "code": "BIC", "corr": "Korrespondenzkonto",
           "iban": "IBAN", "item": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis", "amount": "Betrag",
           "tax": "USt.", "plus": "zzgl.", "subtotal": "Nettobetrag", "total": "Gesamtbetrag",
           "director": "Unterschrift", "received": "Ware erhalten", "delivered": "Ware übergeben",
           "valid": "Dieses Angebot ist 30 Tage gültig.",
           "pay": "Zahlungsziel: 14 Tage ohne Abzug. Bitte geben Sie bei der Zahlung die Rechnungsnummer an.",
           "deal": "Betreff", "paid": "Der Betrag ist vollständig bezahlt. Vielen Dank!",
           "unit": "Einheit", "discount": "Rabatt", "discounts": "Rabatte", "untaxed_subtotal": "Summe",
           "untaxed": "ohne Umsatzsteuer", "supply": "Leistungsdatum", "incl": "darin enthaltene",
           "dated": {"invoice": "Rechnungsdatum", "quote": "Angebotsdatum", "delivery_note": "Lieferdatum",
                     "act": "Datum"}},
}
# A country's own words for what its documents must name (a British VAT invoice names the seller's VAT number and its
# Companies House number, and calls the tax VAT): the built-in template of its language, with these words.
_COUNTRY_WORDS: dict[tuple[str, str], dict[str, str]] = {
    ("en", "GB"): {"tax_id": "VAT No.", "reg": "Company No.", "code": "Sort code / BIC", "tax": "VAT",
                   "subtotal": "Subtotal excl. VAT", "untaxed": "No VAT"},
    # A Kazakh company's number is its БИН (an entrepreneur's ИИН), its account the ИИК; Russia's ОГРН / КПП and
    # расчётный счёт are no Kazakh words
    ("ru", "KZ"): {"tax_id": "БИН/ИИН", "reg": "Рег. номер", "account": "ИИК"},  # noqa: RUF001
    ("en", "KZ"): {"tax_id": "BIN/IIN", "account": "IIC", "tax": "VAT", "subtotal": "Subtotal excl. VAT",
                   "untaxed": "No VAT"},
}
# An EU company's invoice names the seller's VAT identification number (a German USt-IdNr. "DE312345678") and the
# net, the VAT and the gross (Art. 226 of the VAT Directive; section 14 (4) UStG): "VAT ID", "VAT", not "Tax ID", "Tax".
_EU = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
                "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})
_COUNTRY_WORDS.update({("en", country): {"tax_id": "VAT ID", "tax": "VAT", "subtotal": "Subtotal excl. VAT",
                                         "untaxed": "No VAT"} for country in _EU})
# Austria calls the VAT ID the UID-Nummer; Switzerland and Liechtenstein call the tax MWST and its number the
# MWST-Nummer (the UID with "MWST"), their register the Handelsregister as Germany does
_COUNTRY_WORDS.update({
    ("de", "AT"): {"tax_id": "UID-Nr.", "reg": "Firmenbuch"},
    **{("de", country): {"tax_id": "MWST-Nr.", "tax_no": "UID", "tax": "MWST", "untaxed": "ohne MWST"}
       for country in ("CH", "LI")},
})


def _tax_label(w: dict[str, Any], who: str) -> str:
    # a German seller without a VAT ID prints its Steuernummer ("12/345/67890"), which section 14 (4) no. 2 UStG
    # accepts: a number beginning with two capitals (DE312345678) is a VAT ID, another the Steuernummer
    if "tax_no" not in w:
        return str(w["tax_id"])
    return f"{{% if {who}.tax_id[:2] is upper %}}{w['tax_id']}{{% else %}}{w['tax_no']}{{% endif %}}"


def _address_joint(w: dict[str, Any]) -> str:
    """What comes between a party's name and requisites and its address: a comma in Russian, else a new line."""
    return ", " if w.get("address_inline") else "<br>"


def _seller(w: dict[str, Any], *, bank: bool) -> str:
    lines = [
        f"<p><b>{w['seller']}:</b> {{{{ seller.legal_name }}}}"
        f"{{% if seller.tax_id %}}, {_tax_label(w, 'seller')} {{{{ seller.tax_id }}}}{{% endif %}}"
        f"{{% if seller.registration_id %}}, {w['reg']} {{{{ seller.registration_id }}}}{{% endif %}}",
        f"{{% if seller.address %}}{_address_joint(w)}{{{{ seller.address }}}}{{% endif %}}",
        "{% if seller.phone or seller.email %}<br>{{ seller.phone }} {{ seller.email }}{% endif %}",
    ]
    if bank:
        lines += [
            f"{{% if seller.bank_name %}}<br>{w.get('bank_details', w['bank'])}: {{{{ seller.bank_name }}}}"
            f"{{% if seller.bank_code %}}, {w['code']} {{{{ seller.bank_code }}}}{{% endif %}}{{% endif %}}",
            f"{{% if seller.bank_account %}}<br>{w['account']}: {{{{ seller.bank_account }}}}{{% endif %}}",
            f"{{% if seller.correspondent_account %}}<br>{w['corr']}: {{{{ seller.correspondent_account }}}}"
            "{% endif %}",
            f"{{% if seller.iban %}}<br>{w['iban']}: {{{{ seller.iban }}}}{{% endif %}}",
        ]
    return "\n".join(lines) + "</p>\n"


def _customer(w: dict[str, Any]) -> str:
    return (f"<p><b>{w['customer']}:</b> {{{{ customer.name }}}}"
            f"{{% if customer.tax_id %}}, {_tax_label(w, 'customer')} {{{{ customer.tax_id }}}}{{% endif %}}"
            # a Russian buyer is named by its INN and КПП ("ИНН 7701234567, КПП 770101001")
            + (f"{{% if customer.kpp %}}, {w['kpp']} {{{{ customer.kpp }}}}{{% endif %}}" if "kpp" in w else "")
            + f"{{% if customer.address %}}{_address_joint(w)}{{{{ customer.address }}}}{{% endif %}}"
            "{% if customer.email or customer.phone %}<br>{{ customer.email }} {{ customer.phone }}{% endif %}"
            "</p>\n")


def _taxes(w: dict[str, Any]) -> str:
    # the VAT under the net: one line, or in German one per rate ("zzgl. 19 % USt.: 190,00 €"), as section 14 (4)
    # no. 8 UStG asks for the tax of each rate
    if "plus" not in w:
        return f'{w["tax"]}: {{{{ totals.tax }}}}'
    return (f'{{% for rated in totals.by_rate %}}{w["plus"]} {{{{ rated.rate }}}} {w["tax"]}: {{{{ rated.tax }}}}'
            "{% if not loop.last %}<br>{% endif %}{% endfor %}")


def _included(w: dict[str, Any]) -> str:
    # the VAT an order's prices include, per rate, under its total
    return (f'{{% for rated in totals.by_rate %}}{w["incl"]} {w["tax"]} {{{{ rated.rate }}}}: {{{{ rated.tax }}}}'
            "{% if not loop.last %}<br>{% endif %}{% endfor %}")


def _priced_table(w: dict[str, Any]) -> str:
    # A discounted line's amount is less than its quantity times its price: the discount gets its own column (only
    # when a line has one), or the customer reads "100 x 1 500,50 = 135 045,00" and takes it for a mistake.
    off = "{% if totals.discount_minor %}"
    return (
        '<table width="100%">\n<thead><tr>'
        f'<th width="6%">{w.get("pos", w["no"])}</th><th width="{off}28{{% else %}}40{{% endif %}}%">{w["item"]}</th>'
        f'<th width="10%">{w["qty"]}</th><th width="14%">{w["price"]}</th>'
        f'{off}<th width="12%">{w["discount"]}</th>{{% endif %}}'
        f'<th width="12%">{w["tax"]}</th><th width="18%">{w["amount"]}</th>'
        "</tr></thead>\n<tbody>\n{% for line in lines %}"
        '<tr><td>{{ line.n }}</td><td>{{ line.description }}</td>'
        '<td align="right">{{ line.quantity }} {{ line.unit }}</td><td align="right">{{ line.price }}</td>'
        f'{off}<td align="right">{{{{ line.discount }}}}</td>{{% endif %}}'
        '<td align="right">{{ line.tax_rate }}</td>'
        '<td align="right">{% if totals.inclusive %}{{ line.gross }}{% else %}{{ line.amount }}{% endif %}</td></tr>\n'
        "{% endfor %}</tbody>\n</table>\n"
        f'<p align="right">{off}{w["discounts"]}: {{{{ totals.discount }}}}<br>{{% endif %}}'
        # prices with their VAT in: the total, then the VAT it includes per rate (in Russian "В том числе НДС 12%")  # noqa: RUF003
        f'{{% if totals.taxed and totals.inclusive %}}<b>{w["total"]}: {{{{ totals.total }}}}</b><br>{_included(w)}'
        # no line with a tax rate: "Без НДС", not "НДС: 0,00 ₽" (a 0% rate is another thing in law, and prints so)
        f'{{% else %}}{{% if totals.taxed %}}{w["subtotal"]}: {{{{ totals.subtotal }}}}<br>{_taxes(w)}'
        f'{{% else %}}{w["untaxed_subtotal"]}: {{{{ totals.subtotal }}}}<br>{w["untaxed"]}{{% endif %}}<br>'
        f'<b>{w["total"]}: {{{{ totals.total }}}}</b>{{% endif %}}</p>\n'
        + (_in_words(w) if "count" in w else "")
    )


def _in_words(w: dict[str, Any]) -> str:
    # a Russian invoice repeats its total in words under the table, as accountants check it
    return (f"{{% if totals.in_words %}}<p>{w['count']} {{{{ lines|length }}}}, {w['sum']} {{{{ totals.total }}}}<br>"
            "<b>{{ totals.in_words }}</b></p>{% endif %}\n")


def _quantity_table(w: dict[str, Any]) -> str:
    return (
        '<table width="100%">\n<thead><tr>'
        f'<th width="8%">{w.get("pos", w["no"])}</th><th width="62%">{w["item"]}</th><th width="15%">{w["qty"]}</th>'
        f'<th width="15%">{w["unit"]}</th>'
        "</tr></thead>\n<tbody>\n{% for line in lines %}"
        '<tr><td>{{ line.n }}</td><td>{{ line.description }}</td><td align="right">{{ line.quantity }}</td>'
        "<td>{{ line.unit }}</td></tr>\n{% endfor %}</tbody>\n</table>\n"
    )


_SIGN = "_" * 20  # where a signature goes

# An act of services rendered in the words of the form Russian accountants expect: the sides as the contractor and the
# client (Исполнитель, Заказчик), its basis, the services, how many were rendered for what total (in words too), that
# they were rendered in full and on time, and both sides' signatures and seals. Keys over the language's words
# (``_WORDS``).
_ACT_WORDS: dict[str, dict[str, str]] = {
    "en": {"seller": "Contractor", "customer": "Customer", "basis": "Basis", "item": "Services", "unit": "Unit",
           "act_total": "Total", "count": "Total services rendered:", "sum": "amounting to",
           "done": "The services above were rendered in full and on time. The Customer has no claims as to their "
                   "scope, quality or timing.",
           "signed": "signature / full name", "seal": "Seal"},
    "ru": {"seller": "Исполнитель", "customer": "Заказчик", "basis": "Основание", "item": "Наименование работ, услуг",
           "act_total": "Итого", "count": "Всего оказано услуг", "sum": "на сумму",  # noqa: RUF001
           "done": "Вышеперечисленные услуги выполнены полностью и в срок. Заказчик претензий по объему, качеству и "
                   "срокам оказания услуг не имеет.",
           "signed": "подпись / Ф.И.О.", "seal": "М.П."},  # noqa: RUF001
    "de": {"seller": "Auftragnehmer", "customer": "Auftraggeber", "basis": "Grundlage", "item": "Leistung",
           "act_total": "Gesamtbetrag", "count": "Erbrachte Leistungen:", "sum": "im Gesamtwert von",
           "done": "Die oben genannten Leistungen wurden vollständig und fristgerecht erbracht. Der Auftraggeber hat "
                   "keine Beanstandungen hinsichtlich Umfang, Qualität und Fristen der Leistungen.",
           "signed": "Unterschrift / Name", "seal": "Stempel"},
}


def _services_table(w: dict[str, Any], *, in_words: bool) -> str:
    # an act's services: no tax column (its VAT is said under the total, as the invoice says it), the unit apart
    off = "{% if totals.discount_minor %}"
    return (
        '<table width="100%">\n<thead><tr>'
        f'<th width="6%">{w.get("pos", w["no"])}</th><th width="{off}32{{% else %}}44{{% endif %}}%">{w["item"]}</th>'
        f'<th width="10%">{w["qty"]}</th><th width="10%">{w["unit"]}</th><th width="14%">{w["price"]}</th>'
        f'{off}<th width="12%">{w["discount"]}</th>{{% endif %}}<th width="16%">{w["amount"]}</th>'
        "</tr></thead>\n<tbody>\n{% for line in lines %}"
        '<tr><td>{{ line.n }}</td><td>{{ line.description }}</td><td align="right">{{ line.quantity }}</td>'
        '<td>{{ line.unit }}</td><td align="right">{{ line.price }}</td>'
        f'{off}<td align="right">{{{{ line.discount }}}}</td>{{% endif %}}'
        '<td align="right">{% if totals.inclusive %}{{ line.gross }}{% else %}{{ line.amount }}{% endif %}</td></tr>\n'
        "{% endfor %}</tbody>\n</table>\n"
        f'<p align="right">{off}{w["discounts"]}: {{{{ totals.discount }}}}<br>{{% endif %}}'
        # the total and the VAT its prices include per rate, or the net, its VAT and the total, or the total untaxed
        f'{{% if totals.taxed and totals.inclusive %}}<b>{w["act_total"]}: {{{{ totals.total }}}}</b><br>{_included(w)}'
        f'{{% elif totals.taxed %}}{w["subtotal"]}: {{{{ totals.subtotal }}}}<br>{_taxes(w)}<br>'
        f'<b>{w["act_total"]}: {{{{ totals.total }}}}</b>'
        f'{{% else %}}<b>{w["act_total"]}: {{{{ totals.total }}}}</b><br>{w["untaxed"]}{{% endif %}}</p>\n'
        f"<p>{w['count']} {{{{ lines|length }}}}, {w['sum']} {{{{ totals.total }}}}"
        # the total in words, as a Russian invoice writes it (only Russian documents do)
        + ("{% if totals.in_words %}<br><b>{{ totals.in_words }}</b>{% endif %}" if in_words else "") + "</p>\n"
    )


def _act_signatures(w: dict[str, Any]) -> str:
    # both sides sign (and stamp) the act: the contractor's director by name, the customer's by hand
    return (
        '<table width="100%">\n<thead><tr>'
        f'<th width="50%">{w["seller"]}</th><th width="50%">{w["customer"]}</th></tr></thead>\n<tbody>\n'
        "<tr><td>{{ seller.legal_name }}</td><td>{{ customer.name }}</td></tr>\n"
        f"<tr><td>{_SIGN} / {{% if seller.director %}}{{{{ seller.director }}}}{{% else %}}{_SIGN}{{% endif %}}</td>"
        f"<td>{_SIGN} / {_SIGN}</td></tr>\n"
        f"<tr><td>{w['signed']}</td><td>{w['signed']}</td></tr>\n"
        f"<tr><td>{w['seal']}</td><td>{w['seal']}</td></tr>\n</tbody>\n</table>\n"
    )


def _act(w: dict[str, Any], head: str, note: str) -> str:
    act = {**w, **_ACT_WORDS[w["locale"]]}
    return (head + f"{{% if document.basis %}}<p>{act['basis']}: {{{{ document.basis }}}}</p>{{% endif %}}\n"
            + _seller(act, bank=False) + _customer(act) + _services_table(act, in_words=w["locale"] == "ru")
            + "{% if document.vat_note %}<p><b>{{ document.vat_note }}</b></p>{% endif %}\n"
            + f"<p>{act['done']}</p>\n" + note + _act_signatures(act))


ORDER_OF = {"en": "For order No.", "ru": "По заказу №", "de": "Zur Bestellung Nr."}


def _body(doc_type: str, locale: str, country: str | None = None) -> str:
    w = {**_WORDS[locale], **_COUNTRY_WORDS.get((locale, country or ""), {}), "locale": locale}
    if "dated" in w:  # German: "Rechnung Nr. RE-2026-0001", then "Rechnungsdatum: 7. Dezember 2026" on its own line
        head = (f"<h2>{{{{ document.title }}}} {w['no']} {{{{ document.number }}}}</h2>\n"
                f"<p>{w['dated'][doc_type]}: {{{{ document.date }}}}</p>\n")
    else:
        head = (f"<h2>{{{{ document.title }}}} {w['no']} {{{{ document.number }}}} {w['of']} {{{{ document.date }}}}"
                "</h2>\n")
    # the company's note (Settings -> Requisites: its payment terms, where it is registered ...) on every document
    note = "{% if seller.note %}<p>{{ seller.note }}</p>{% endif %}\n"
    if doc_type == "act":  # an act names its basis (the invoice it follows, else the deal) in place of the deal
        return _act(w, head, note)
    head += f"{{% if source.title %}}<p>{w['deal']}: {{{{ source.title }}}}</p>{{% endif %}}\n"
    # a document of an order names it by its number ("по заказу № 154"), as the order's card shows it
    head += (f"{{% if order is defined and order.number %}}<p>{ORDER_OF[locale]} {{{{ order.number }}}}</p>"
             "{% endif %}\n")
    if doc_type == "invoice":
        # the date of supply: an EU invoice names it always (Art. 226(7); the German Leistungsdatum, section 14 (4)
        # no. 6 UStG, even when it is the invoice's date), another where it differs from the invoice's date
        # (a German document always: Germany's law, and Switzerland's, Art. 26 MWSTG, ask for it)
        shown = "" if (country or "") in _EU or locale == "de" else "{% if document.supply_differs %}"
        head += (f"{shown}<p>{w['supply']}: {{{{ document.supply_date }}}}</p>{'{% endif %}' if shown else ''}\n")
    if doc_type == "delivery_note":
        return (head + _seller(w, bank=False) + _customer(w) + _quantity_table(w) + note
                + f"<p>{w['delivered']}: {_SIGN} &nbsp; &nbsp; {w['received']}: {_SIGN}</p>\n")
    # an invoice of an order paid in full (a salon's gift card paid at the desk) says so, not 'pay within 5 days';
    # a company's note speaks of payment in its own words (a London supplier's 30 days), so the default's 5 days go
    paid = "{% if order is defined and order.total_minor and order.paid_minor >= order.total_minor %}"
    closing = (f"{paid}<p>{w['paid']}</p>{{% elif not seller.note %}}<p>{w['pay']}</p>{{% endif %}}\n"
               if doc_type == "invoice" else f"<p>{w['valid']}</p>\n")
    # why no VAT is charged (a reverse charge, an exemption), under the totals
    closing = "{% if document.vat_note %}<p><b>{{ document.vat_note }}</b></p>{% endif %}\n" + closing
    return (head + _seller(w, bank=doc_type == "invoice") + _customer(w) + _priced_table(w) + closing + note
            + f"<p>{w['director']}: {_SIGN} {{{{ seller.director }}}}</p>\n")


BUILT_IN: dict[tuple[str, str], str] = {
    (doc_type, locale): _body(doc_type, locale) for doc_type in ("quote", "invoice", "delivery_note", "act")
    for locale in ("en", "ru", "de")}


def body(doc_type: str, locale: str, country: str | None = None) -> str:
    """The built-in template of a type in a language (English when the language has none), in the words of the
    company's country where it has its own (``_COUNTRY_WORDS``)."""
    if (locale, country or "") in _COUNTRY_WORDS:
        return _body(doc_type, locale, country)
    return BUILT_IN.get((doc_type, locale)) or BUILT_IN[(doc_type, "en")]
