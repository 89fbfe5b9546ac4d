from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from server.demo.generator import DemoShop, generate_shop
from server.sales.pricing import LineInput, TenderInput, price_sale, settle

END = date(2025, 12, 31)


@pytest.fixture(scope="module")
def shop() -> DemoShop:
    return generate_shop(seed=11, products=80, days=365, end=END)


def local_dates(moments: pd.Series, shop: DemoShop) -> pd.Series:
    return moments.dt.tz_convert(shop.time_zone).dt.tz_localize(None).dt.normalize()


def units_by_day(shop: DemoShop, product_ids: pd.Series | None = None) -> pd.Series:
    """Units per calendar day of the shop's history (zero on days without sales)."""
    demand = shop.daily_demand()
    if product_ids is not None:
        demand = demand[demand["product_id"].isin(set(product_ids))]
    days = pd.date_range(shop.start, shop.end, freq="D")
    return demand.groupby("date")["quantity"].sum().reindex(days, fill_value=0)


def products_in(shop: DemoShop, *categories: str) -> pd.Series:
    wanted = set(shop.categories.loc[shop.categories["name"].isin(categories), "id"])
    return shop.products.loc[shop.products["category_id"].isin(wanted), "id"]


def ean13_is_valid(code: str) -> bool:
    digits = [int(c) for c in code]
    return len(digits) == 13 and sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def rut_is_valid(text: str) -> bool:
    body, check = text.replace(".", "").split("-")
    weights = [2, 3, 4, 5, 6, 7]
    total = sum(int(d) * weights[i % 6] for i, d in enumerate(reversed(body)))
    expected = 11 - total % 11
    return check == {10: "K", 11: "0"}.get(expected, str(expected))


def test_a_seed_always_gives_the_same_shop() -> None:
    first = generate_shop(seed=3, products=25, days=40, end=END)
    again = generate_shop(seed=3, products=25, days=40, end=END)
    other = generate_shop(seed=4, products=25, days=40, end=END)
    for table in first.row_counts():
        pd.testing.assert_frame_equal(getattr(first, table), getattr(again, table))
    pd.testing.assert_frame_equal(first.daily_demand(), again.daily_demand())
    assert not first.sales["total"].equals(other.sales["total"])
    assert set(first.products["id"]).isdisjoint(other.products["id"])


def test_sizes_and_catalog(shop: DemoShop) -> None:
    assert len(shop.products) == 80 and len(shop.customers) == 400
    assert list(shop.registers["code"]) == ["C1", "C2", "C3"]
    assert shop.products["sku"].is_unique and shop.products["barcode"].is_unique
    assert (shop.products["cost"] < shop.products["price"]).all()
    assert set(shop.products["tax_rate_bp"]) <= {0, 1900}
    parents = shop.categories.dropna(subset=["parent_id"])
    assert len(parents) >= 3 and set(parents["parent_id"]) <= set(shop.categories["id"])
    assert shop.products["category_id"].isin(set(shop.categories["id"])).all()


def test_barcodes_and_tax_ids_carry_valid_check_digits(shop: DemoShop) -> None:
    assert all(ean13_is_valid(code) for code in shop.products["barcode"])
    tax_ids = shop.customers["tax_id"].dropna()
    assert len(tax_ids) > 100 and tax_ids.is_unique
    assert all(rut_is_valid(tax_id) for tax_id in tax_ids)


def test_ids_are_time_ordered_uuid7(shop: DemoShop) -> None:
    assert all(sale_id.version == 7 for sale_id in shop.sales["id"])
    ordered = shop.sales.sort_values("sold_at")
    assert list(ordered["id"]) == sorted(ordered["id"], key=lambda sale_id: sale_id.int)


def test_weekends_peak_for_drinks_and_meat(shop: DemoShop) -> None:
    weekend_aisles = products_in(shop, "Cervezas", "Vinos", "Destilados", "Gaseosas", "Carnes y fiambres")
    daily = units_by_day(shop, weekend_aisles)
    by_weekday = daily.groupby(daily.index.dayofweek).mean()
    # Why 1.5: a Chilean corner shop sells about half again as much drink and meat on a Saturday
    # as early in the week (the shape the forecasts must learn); the generator's own profile
    # (WEEKEND) gives about 2, so 1.5 holds with Poisson noise on 80 products and fails if the
    # weekly shape is lost (a flat week gives about 1).
    assert by_weekday[5] / by_weekday[[0, 1, 2]].mean() > 1.5
    household = units_by_day(shop, products_in(shop, "Abarrotes", "Limpieza y hogar"))
    flat = household.groupby(household.index.dayofweek).mean()
    assert flat[5] / flat[[0, 1, 2]].mean() < by_weekday[5] / by_weekday[[0, 1, 2]].mean()


def test_holidays_and_seasons(shop: DemoShop) -> None:
    daily = units_by_day(shop)
    assert daily[pd.Timestamp("2025-01-01")] == 0 and daily[pd.Timestamp("2025-05-01")] == 0
    fiesta = units_by_day(shop, products_in(shop, "Carnes y fiambres", "Cervezas", "Vinos", "Destilados"))
    september = fiesta[pd.Timestamp("2025-09-15") : pd.Timestamp("2025-09-19")].mean()
    august = fiesta[pd.Timestamp("2025-08-01") : pd.Timestamp("2025-08-31")].mean()
    # Why 1.8: the Fiestas Patrias week (15-19 September) is the year's peak for meat and drink,
    # roughly double an ordinary month; the holiday multipliers of those days (1.8 to 3.5) make
    # their mean well above 1.8, ordinary days and a lost calendar give about 1.
    assert september > 1.8 * august
    summer = units_by_day(shop, products_in(shop, "Helados", "Gaseosas", "Aguas y jugos"))
    # Why 1.3: ice cream and cold drinks sell far more in the southern summer (January) than in
    # July; any real seasonality of these aisles clears a third more, none gives about 1.
    assert summer["2025-01"].mean() > 1.3 * summer["2025-07"].mean()


def test_slow_movers_are_intermittent(shop: DemoShop) -> None:
    open_days = (units_by_day(shop) > 0).sum()
    demand = shop.daily_demand()
    days_with_sales = demand.groupby("product_id")["date"].nunique().reindex(shop.products["id"], fill_value=0)
    share = days_with_sales / open_days
    # Why these: intermittent demand (Croston's setting) means sales on fewer than 40 % of open
    # days; a real assortment has many such items (here at least 30 % of products), and staples
    # that sell nearly every day (at least one above 85 %). Both together fail for a generator
    # whose products all sell alike, smooth or sparse.
    assert (share < 0.4).mean() > 0.3
    assert share.max() > 0.85


def test_new_products_have_no_history_before_launch(shop: DemoShop) -> None:
    launched = shop.products[shop.products["created_at"] > pd.Timestamp(shop.start, tz=UTC)]
    assert len(launched) >= 1
    demand = shop.daily_demand().merge(launched[["id", "created_at"]], left_on="product_id", right_on="id")
    assert (demand["date"] >= local_dates(demand["created_at"], shop)).all()


def test_promotions_are_line_discounts(shop: DemoShop) -> None:
    lines = shop.sale_lines
    assert (lines["unit_price"] == lines["list_price"]).all()
    discounted = lines[lines["discount"] > 0]
    assert len(discounted) > 0
    promoted = set(shop.promotions["product_id"])
    assert discounted["product_id"].isin(promoted).all()


def test_every_sale_is_priced_and_settled_by_the_pricing_rules(shop: DemoShop) -> None:
    lines = shop.sale_lines.sort_values(["sale_id", "position"])
    payments = shop.payments
    line_sums = lines.groupby("sale_id")[["total", "tax_amount", "discount"]].sum()
    sales = shop.sales.set_index("id")
    assert (sales["total"] == line_sums["total"].reindex(sales.index)).all()
    assert (sales["tax_total"] == line_sums["tax_amount"].reindex(sales.index)).all()
    assert (sales["discount_total"] == line_sums["discount"].reindex(sales.index)).all()
    paid = payments.groupby("sale_id")[["amount", "change"]].sum().reindex(sales.index)
    assert (sales["paid_total"] == paid["amount"]).all() and (sales["change_total"] == paid["change"]).all()
    assert (sales["paid_total"] - sales["change_total"] == sales["total"]).all()
    assert payments.loc[payments["method"] != "cash", "change"].eq(0).all()

    line_rows: dict[object, list[tuple[int, int, int, int, int]]] = {}
    for row in lines[["sale_id", "quantity", "unit_price", "tax_rate_bp", "discount", "total"]].itertuples(index=False):
        line_rows.setdefault(row[0], []).append(tuple(int(value) for value in row[1:]))
    tender_rows: dict[object, list[tuple[str, int, int]]] = {}
    for sale_id, method, amount, change in payments[["sale_id", "method", "amount", "change"]].itertuples(index=False):
        tender_rows.setdefault(sale_id, []).append((method, int(amount), int(change)))
    for sale in shop.sales.itertuples(index=False):
        priced = price_sale([LineInput(*row[:4]) for row in line_rows[sale.id]], tax_mode=shop.tax_mode)
        assert (priced.subtotal, priced.discount_total, priced.tax_total, priced.total) == (
            sale.subtotal,
            sale.discount_total,
            sale.tax_total,
            sale.total,
        )
        assert [line.total for line in priced.lines] == [row[4] for row in line_rows[sale.id]]
        tenders = tender_rows[sale.id]
        settlement = settle(priced.total, [TenderInput(method, amount) for method, amount, _ in tenders])
        assert [tender.change for tender in settlement.tenders] == [change for _, _, change in tenders]


def test_cash_tenders_look_like_notes(shop: DemoShop) -> None:
    cash = shop.payments[shop.payments["method"] == "cash"]
    with_change = cash[cash["change"] > 0]
    # Why 0.3: people pay cash with notes and get change far more often than they hand over the
    # exact amount; a third is a conservative floor for that, and exact-amount cash gives 0.
    assert len(with_change) > 0.3 * len(cash)
    assert (with_change["amount"] % 1000 == 0).all()


def test_stock_is_the_sum_of_movements_and_never_negative(shop: DemoShop) -> None:
    movements = shop.inventory_movements.assign(id_order=[i.int for i in shop.inventory_movements["id"]])
    movements = movements.sort_values(["product_id", "occurred_at", "id_order"])
    running = movements.groupby("product_id")["delta"].cumsum()
    assert (movements["balance_after"] == running).all()
    assert (movements["balance_after"] >= 0).all()
    totals = movements.groupby("product_id")["delta"].sum().reindex(shop.products["id"], fill_value=0)
    assert (totals.to_numpy() == shop.products["stock"].to_numpy()).all()
    sold = movements[movements["kind"] == "sale"]
    assert len(sold) == len(shop.sale_lines)
    assert (sold["delta"] < 0).all() and sold["reference_id"].isin(set(shop.sales["id"])).all()
    lines = shop.sale_lines.merge(shop.sales[["id", "sold_at"]], left_on="sale_id", right_on="id")
    expected = lines.groupby("product_id")["quantity"].sum()
    assert (-sold.groupby("product_id")["delta"].sum()).equals(expected.rename("delta"))
    receipts = movements[movements["kind"] == "receipt"]
    assert (receipts["delta"] > 0).all() and receipts["reason"].str.len().gt(0).all()


def test_a_few_returns_put_stock_back(shop: DemoShop) -> None:
    refunds = shop.refunds
    # Why 1 %: returns in a grocery are rare (well under one sale in a hundred); some must exist
    # so that refunds appear in the demo, and a generator refunding freely would exceed it.
    assert 0 < len(refunds) < 0.01 * len(shop.sales)
    lines = shop.refund_lines.merge(shop.sale_lines, left_on="sale_line_id", right_on="id", suffixes=("", "_sold"))
    assert (lines["quantity"] == lines["quantity_sold"]).all() and (lines["amount"] == lines["total"]).all()
    sold_at = shop.sales.set_index("id")["sold_at"]
    assert (refunds["refunded_at"].to_numpy() > sold_at[refunds["sale_id"]].to_numpy()).all()
    restocking = set(refunds.loc[refunds["restock"], "id"])
    back = shop.inventory_movements[shop.inventory_movements["kind"] == "refund"]
    assert set(back["reference_id"]) == restocking


def test_invoice_numbers_run_per_register(shop: DemoShop) -> None:
    codes = shop.registers.set_index("id")["code"]
    for register_id, sales in shop.sales.sort_values("sold_at").groupby("register_id"):
        assert list(sales["number"]) == list(range(1, len(sales) + 1))
        assert list(sales["invoice_number"]) == [f"{codes[register_id]}-{n}" for n in sales["number"]]
    last = shop.sales.groupby("register_id").size()
    assert (shop.registers.set_index("id")["last_number"] == last).all()


def test_shifts_hold_their_sales_and_count_them(shop: DemoShop) -> None:
    shifts = shop.shifts.set_index("id")
    assert (shifts["status"] == "closed").all()
    sales = shop.sales.join(shifts[["opened_at", "closed_at", "register_id"]], on="shift_id", rsuffix="_shift")
    assert (sales["register_id"] == sales["register_id_shift"]).all()
    assert ((sales["sold_at"] > sales["opened_at"]) & (sales["sold_at"] < sales["closed_at"])).all()
    per_day = shifts.groupby([local_dates(shifts["opened_at"], shop), "register_id"]).size()
    assert (per_day == 1).all()

    counts = shop.shift_counts.set_index(["shift_id", "method"])
    assert len(counts) == 4 * len(shifts)
    assert (counts["difference"] == counts["counted"] - counts["expected"]).all()
    payments = shop.payments.merge(shop.sales[["id", "shift_id"]], left_on="sale_id", right_on="id")
    net = payments.assign(net=payments["amount"] - payments["change"]).groupby(["shift_id", "method"])["net"].sum()
    refunded = shop.refunds.groupby(["shift_id", "method"])["total"].sum()
    expected = net.sub(refunded, fill_value=0).reindex(counts.index, fill_value=0)
    cash = counts.index.get_level_values("method") == "cash"
    floats = shifts["opening_float"].reindex(counts.index.get_level_values("shift_id")).to_numpy()
    expected = expected + np.where(cash, floats, 0)
    assert (counts["expected"] == expected).all()
    assert counts.loc[~cash, "difference"].eq(0).all()
    assert 0 < counts.loc[cash, "difference"].ne(0).mean() < 0.3


def test_customer_statistics_summarise_their_sales(shop: DemoShop) -> None:
    sales = shop.sales.dropna(subset=["customer_id"])
    assert 0.1 < len(sales) / len(shop.sales) < 0.3
    refunds = shop.refunds.merge(shop.sales[["id", "customer_id"]], left_on="sale_id", right_on="id")
    refunded = refunds.groupby("customer_id")["total"].sum()
    stats = sales.groupby("customer_id").agg(visits=("id", "size"), spent=("total", "sum"), last=("sold_at", "max"))
    customers = shop.customers.set_index("id")
    stats = stats.join(customers[["visits", "total_spent", "last_purchase_at", "created_at"]], rsuffix="_card")
    spent = (stats["spent"] - refunded.reindex(stats.index, fill_value=0)).clip(lower=0)
    assert (stats["visits"] == stats["visits_card"]).all()
    assert (spent == stats["total_spent"]).all()
    assert (stats["last"] == stats["last_purchase_at"]).all()
    first = sales.groupby("customer_id")["sold_at"].min()
    assert (customers.loc[first.index, "created_at"] <= first).all()
    without = customers.drop(index=stats.index)
    assert (without["visits"] == 0).all() and without["last_purchase_at"].isna().all()


def test_daily_demand_is_what_the_sale_lines_sold(shop: DemoShop) -> None:
    lines = shop.sale_lines.merge(shop.sales[["id", "sold_at"]], left_on="sale_id", right_on="id")
    sold = (
        lines.assign(date=local_dates(lines["sold_at"], shop))
        .groupby(["product_id", "date"], as_index=False)["quantity"]
        .sum()
    )
    demand = shop.daily_demand()
    assert list(demand.columns) == ["product_id", "date", "quantity"]
    assert (demand["quantity"] > 0).all()
    merged = demand.merge(sold, on=["product_id", "date"], how="outer", suffixes=("", "_sold"))
    assert len(merged) == len(demand) == len(sold)
    assert (merged["quantity"] == merged["quantity_sold"]).all()


def test_expected_demand_is_the_mean_the_sales_were_drawn_from(shop: DemoShop) -> None:
    expected = shop.expected_demand()
    assert list(expected.columns) == list(shop.products["id"]) and len(expected) == (shop.end - shop.start).days + 1
    assert (expected.to_numpy() >= 0).all()
    sold = shop.daily_demand().pivot_table(index="date", columns="product_id", values="quantity", aggfunc="sum")
    sold = sold.reindex(index=expected.index, columns=expected.columns, fill_value=0).fillna(0)
    # Over the whole shop and history the draws average out to the means (within 3 %) ...
    assert sold.to_numpy().sum() == pytest.approx(expected.to_numpy().sum(), rel=0.03)
    # ... and day by day the shop's totals follow them (the day's traffic moves every product
    # together, so not closely), on the same days: a day off, they follow far less.
    totals_expected, totals_sold = expected.sum(axis=1).to_numpy(), sold.sum(axis=1).to_numpy()
    aligned = np.corrcoef(totals_expected, totals_sold)[0, 1]
    assert aligned > 0.5 and aligned > np.corrcoef(totals_expected[1:], totals_sold[:-1])[0, 1] + 0.2
    assert (totals_sold[totals_expected == 0] == 0).all()


def test_until_stops_the_last_day_with_its_shifts_open() -> None:
    until = datetime(2025, 12, 31, 18, 0, tzinfo=UTC)
    cut = generate_shop(seed=5, products=20, days=10, end=END, until=until)
    assert (cut.sales["sold_at"] <= until).all() and (cut.inventory_movements["occurred_at"] <= until).all()
    open_shifts = cut.shifts[cut.shifts["status"] == "open"]
    assert len(open_shifts) == 3 and open_shifts["closed_at"].isna().all()
    assert not cut.shift_counts["shift_id"].isin(set(open_shifts["id"])).any()
    assert cut.sales["shift_id"].isin(set(open_shifts["id"])).any()
    assert cut.daily_demand()["quantity"].sum() == cut.sale_lines["quantity"].sum()


def test_currencies_with_minor_units() -> None:
    dollars = generate_shop(seed=5, products=20, days=10, end=END, currency_minor_units=2, tax_mode="exclusive")
    assert (dollars.products["price"] % 10 == 9).all()
    assert dollars.products["price"].median() < 2_000
    assert (
        dollars.sales["total"]
        == dollars.sales["subtotal"] - dollars.sales["discount_total"] + dollars.sales["tax_total"]
    ).all()
