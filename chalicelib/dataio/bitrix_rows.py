# ruff: noqa: RUF001, RUF002
"""Bitrix24's exports that write one record over several rows, read back as one row each.

A deals export with its products ("Товар" among the columns) writes one row per product of a deal: the deal's
columns repeated under the same "ID", the product's "Товар", "Цена" and "Количество", and in "Сумма" that product's
price times quantity, not the deal's (crm.deal.list's csv template). Such rows are one deal: the first row's cells,
its "Сумма" the rows' sum (the deal's amount as Bitrix24 gives it), its "Товар" cell the deal's products, one a
line ("Анкеры М12 — 500 × 97 = 48500"), which the import keeps in the deal's note as it keeps any column no field
holds. A companies export with "requisites on several lines" writes a company's further requisites on rows whose
company columns are all empty (crm.company.list's csv template): such rows are folded into the company above, in a
column of their own that no field holds, so no row fails as a company with no name and no requisite is lost.

Both are pure and linear in the file's rows; the merged row keeps the number of the file's first row of the record,
so a retried import derives the same record ids.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from chalicelib.dataio.sheets import Sheet

ID = "id"
PRODUCT, PRICE, QUANTITY, AMOUNT = "товар", "цена", "количество", "сумма"  # crm.deal.list's ru headers
COMPANY_NAME = "название компании"  # crm.company.list's
FURTHER_REQUISITES = "Ещё реквизиты"  # the column a company's further requisite rows are folded into


def _columns(sheet: Sheet) -> dict[str, int]:
    """Each header's column, by its folded name (the first of a name)."""
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        found.setdefault(header.strip().casefold(), index)
    return found


def _number(cell: str) -> Decimal | None:
    text = cell.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return None


def _written(number: Decimal) -> str:
    return format(number.normalize(), "f")  # 48500, 48500.5: as the amount column is read


def _product_line(row: list[str], product: int, price: int, quantity: int, amount: int | None) -> str:
    line = f"{row[product].strip()} — {row[quantity].strip() or '1'} × {row[price].strip()}"
    return f"{line} = {row[amount].strip()}" if amount is not None and row[amount].strip() else line


def deal_products(sheet: Sheet) -> Sheet:
    """A deals export's rows of one deal's products as one row per deal, wherever in the file they are; a sheet
    without Bitrix24's "ID", "Товар", "Цена" and "Количество" columns is returned as it is."""
    columns = _columns(sheet)
    if not {ID, PRODUCT, PRICE, QUANTITY} <= columns.keys():
        return sheet
    key, product, price, quantity = columns[ID], columns[PRODUCT], columns[PRICE], columns[QUANTITY]
    amount = columns.get(AMOUNT)
    groups: dict[str, list[int]] = {}
    order: list[tuple[str, int]] = []  # each deal where its first row is, a row without an id alone
    for index, row in enumerate(sheet.rows):
        deal = row[key].strip()
        if not deal:
            order.append(("", index))
        elif deal not in groups:
            groups[deal] = [index]
            order.append((deal, index))
        else:
            groups[deal].append(index)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for deal, first in order:
        members = groups[deal] if deal else [first]
        merged = list(sheet.rows[first])
        lines = [_product_line(sheet.rows[i], product, price, quantity, amount) for i in members
                 if sheet.rows[i][product].strip()]
        sums = [_number(sheet.rows[i][amount]) for i in members] if amount is not None else []
        if lines and all(value is not None for value in sums):  # a deal with products: one row, their sum
            merged[product], merged[price], merged[quantity] = "\n".join(lines), "", ""
            if amount is not None:
                merged[amount] = _written(sum((value for value in sums if value is not None), Decimal(0)))
            rows.append(merged)
            numbers.append(sheet.numbers[first])
            continue
        rows.extend(sheet.rows[i] for i in members)  # no products, or a sum not read: its rows as they are
        numbers.extend(sheet.numbers[i] for i in members)
    return Sheet(headers=sheet.headers, rows=rows, file_format=sheet.file_format, encoding=sheet.encoding,
                 delimiter=sheet.delimiter, header_row=sheet.header_row, numbers=numbers)


def company_requisites(sheet: Sheet) -> Sheet:
    """A companies export's requisite rows (no "ID", no "Название компании", something in another cell) folded into
    the company above: a column of their own, "Ещё реквизиты", holds each such row as "Column: value" pairs, one row a
    line, so the company's own cells (its ИНН, read as its tax number) stay as the file writes them and the further
    requisites are kept in the company's note; a sheet without such rows is returned as it is."""
    columns = _columns(sheet)
    if not {ID, COMPANY_NAME} <= columns.keys():
        return sheet
    key, name = columns[ID], columns[COMPANY_NAME]
    rows: list[list[str]] = []
    numbers: list[int] = []
    further: list[list[str]] = []
    for row, number in zip(sheet.rows, sheet.numbers, strict=True):
        if rows and not row[key].strip() and not row[name].strip() and any(cell.strip() for cell in row):
            further[-1].append("; ".join(f"{header.strip()}: {cell.strip()}"
                                         for header, cell in zip(sheet.headers, row, strict=False) if cell.strip()))
            continue
        rows.append(list(row))
        numbers.append(number)
        further.append([])
    if len(rows) == len(sheet.rows):
        return sheet
    return Sheet(headers=[*sheet.headers, FURTHER_REQUISITES],
                 rows=[[*row, "\n".join(more)] for row, more in zip(rows, further, strict=True)],
                 file_format=sheet.file_format, encoding=sheet.encoding, delimiter=sheet.delimiter,
                 header_row=sheet.header_row, numbers=numbers)
