"""The demo shop trading, step by step: prices and promotions, daily demand, tickets rung up and
priced as real sales are, returns, shifts counted, stock replenished."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from server.demo.aisles import AISLES, GROUPS
from server.demo.catalog import Catalog, shelf_prices
from server.demo.identifiers import MICROS
from server.demo.tenders import Tendering
from server.demo.trading_days import DEMAND_SCALE, Calendar
from server.sales.pricing import LineInput, PricedSale, Settlement, TenderInput, price_sale, settle

Array = npt.NDArray[Any]

VAT_BP = 1900
MAX_LINES_PER_TICKET = 6
TICKET_BREAK = 0.38  # chance that the next purchase of the day starts a new ticket
PAYMENT_METHODS = ("cash", "card", "transfer", "other")


class Shop:
    """The generation steps, in order; each reads what the previous ones left on `self`."""

    def __init__(
        self,
        *,
        seed: int,
        start: date,
        end: date,
        registers: int,
        customers: int,
        tax_mode: str,
        minor_units: int,
        calendar: Calendar,
        catalog: Catalog,
        cut: int | None,
        rngs: tuple[np.random.Generator, ...],
    ) -> None:
        self.seed, self.start, self.end = seed, start, end
        self.register_count, self.customer_count = registers, customers
        self.tax_mode, self.minor_units = tax_mode, minor_units
        self.calendar, self.catalog, self.cut = calendar, catalog, cut
        (
            self.catalog_rng,
            self.demand_rng,
            self.ticket_rng,
            self.payment_rng,
            self.people_rng,
            self.stock_rng,
            self.id_rng,
        ) = rngs
        self.products = len(catalog.name)
        self.days = len(calendar.dates)
        self.cash_unit = 1000 if minor_units == 0 else 10**minor_units
        self.history_start = int(calendar.midnight[0]) - 400 * 86_400 * MICROS

    def build(self) -> Shop:
        self.prices()
        self.demand()
        self.tickets()
        self.price_tickets()
        self.refund()
        self.count_shifts()
        self.replenish()
        return self

    # Prices, costs and promotions -------------------------------------------------------------

    def prices(self) -> None:
        rng, products, days = self.catalog_rng, self.products, self.days
        aisle = self.catalog.aisle
        self.tax_rate = np.where(rng.random(products) < 0.03, 0, VAT_BP).astype(np.int64)
        change_factor = np.ones((products, days))
        for product in range(products):
            for day in rng.integers(0, days, size=rng.poisson(days / 300)).tolist():
                change_factor[product, day] = rng.uniform(1.03, 1.09)
        clp = self.catalog.base_price[:, None] * np.cumprod(change_factor, axis=1)
        self.list_price = shelf_prices(clp, self.minor_units)
        self.cost_ratio = rng.uniform(0.52, 0.74, size=products)
        self.unit_cost = np.floor(self.list_price * self.cost_ratio[:, None]).astype(np.int64)
        changed = change_factor > 1
        self.price_changed = np.where(changed.any(axis=1), days - 1 - np.argmax(changed[:, ::-1], axis=1), -1)

        self.promo = np.zeros((products, days))
        rows: list[tuple[int, int, int, float]] = []
        promotable = np.flatnonzero(rng.random(products) < 0.3)
        for product in promotable.tolist():
            for _ in range(rng.poisson(days / 150)):
                first = int(rng.integers(0, days))
                last = min(days - 1, first + int(rng.integers(3, 10)))
                cut = float(rng.choice((0.1, 0.15, 0.2, 0.25, 0.3)))
                self.promo[product, first : last + 1] = np.maximum(self.promo[product, first : last + 1], cut)
                rows.append((product, first, last, cut))
        promo_price = shelf_prices(clp * (1 - self.promo), self.minor_units)
        smallest_step = 10 if self.minor_units == 0 else 1
        promo_price = np.minimum(promo_price, self.list_price - smallest_step)
        self.unit_discount = np.where(self.promo > 0, self.list_price - np.maximum(promo_price, 1), 0)
        self.promotion_rows = rows
        self.aisle_perishable = np.array([AISLES[index].perishable for index in aisle])

    # Demand ----------------------------------------------------------------------------------

    def demand(self) -> None:
        """Lines of purchase: `occurrences ~ Poisson(λ/basket)` per product-day, each of
        `1 + Poisson(basket - 1)` units, so slow items with big baskets are intermittent and lumpy
        (Croston-style) while fast movers sell every day."""
        rng, calendar, products, days = self.demand_rng, self.calendar, self.products, self.days
        aisles = [AISLES[index] for index in self.catalog.aisle.tolist()]
        popularity = np.array([aisle.popularity for aisle in aisles])
        base = DEMAND_SCALE * popularity * self.catalog.appeal * rng.lognormal(0, 0.7, size=products)
        slow = rng.random(products) < 0.15
        base = np.where(slow, base * rng.uniform(0.04, 0.25, size=products), base)
        basket = np.array([aisle.basket for aisle in aisles]) * rng.uniform(0.8, 1.2, size=products)
        basket = np.where(slow, np.maximum(basket, rng.uniform(1.5, 3.0, size=products)), basket)
        self.basket = np.maximum(basket, 1.0)

        week = np.array([aisle.week for aisle in aisles]) * rng.uniform(0.95, 1.05, size=(products, 7))
        week /= week.mean(axis=1, keepdims=True)
        angle = 2 * np.pi * (calendar.day_of_year[None, :] - self.catalog.season_peak[:, None]) / 365.25
        yearly = 1 + np.minimum(self.catalog.season_amplitude, 0.95)[:, None] * np.cos(angle)
        growth = rng.normal(0, 0.1, size=products)
        kind = rng.random(products)
        growth = np.where(kind < 0.12, rng.uniform(0.3, 0.7, size=products), growth)
        growth = np.where(kind > 0.88, rng.uniform(-0.6, -0.3, size=products), growth)
        years = (np.arange(days) - days / 2) / 365.25
        trend = np.exp(growth[:, None] * years[None, :])
        group = np.array([GROUPS.index(aisle.group) for aisle in aisles])
        elasticity = rng.uniform(1.5, 3.0, size=products)
        promo_lift = (1 - self.promo) ** -elasticity[:, None]

        is_new = rng.random(products) < 0.08 if days >= 90 else np.zeros(products, dtype=bool)
        launch_day = np.where(is_new, rng.integers(30, max(31, days - 14), size=products), 0)
        launch = np.minimum(calendar.next_open[np.minimum(launch_day, days - 1)], days - 1)
        age = np.arange(days)[None, :] - launch[:, None]
        ramp = np.where(age < 0, 0.0, np.where(is_new[:, None], 1 - np.exp(-(age + 1) / 14), 1.0))
        self.launch = launch
        self.is_new = is_new

        rate = (
            base[:, None]
            * week[:, calendar.weekday]
            * yearly
            * trend
            * calendar.lift[group]
            * promo_lift
            * ramp
            * calendar.is_open[None, :]
        )
        self.expected = rate
        traffic = rng.gamma(30, 1 / 30, size=days)
        noise = rng.gamma(6, 1 / 6, size=(products, days))
        occurrences = rng.poisson(rate * traffic[None, :] * noise / self.basket[:, None])
        cell = np.flatnonzero(occurrences.ravel())
        counts = occurrences.ravel()[cell]
        cells = np.repeat(cell, counts)
        self.purchase_product = cells // days
        self.purchase_day = cells % days
        self.purchase_quantity = 1 + rng.poisson(self.basket[self.purchase_product] - 1)

    # Tickets ---------------------------------------------------------------------------------

    def tickets(self) -> None:
        """Shuffle each day's lines into tickets of 1-6 lines (a product at most once per ticket),
        then give each ticket a time, a register, maybe a customer. The steps draw from
        `ticket_rng` in this order, which is part of the seed."""
        order, ticket, first = self._split_into_tickets()
        line_ticket, line_product, line_quantity = self._merge_repeats(order, ticket)
        ticket_day = self.purchase_day[order][first]
        sold, register, customer = self._ring_up(ticket_day)
        keep = np.ones(len(first), dtype=bool) if self.cut is None else sold <= self.cut
        self._count_demand(order, ticket, keep)
        demand_keep = keep[line_ticket]
        kept = np.flatnonzero(keep)
        by_time = kept[np.argsort(sold[kept], kind="stable")]
        rank = np.full(len(first), -1, dtype=np.int64)
        rank[by_time] = np.arange(len(by_time))
        line_sale = rank[line_ticket[demand_keep]]
        line_order = np.argsort(line_sale, kind="stable")
        self.sale_day = ticket_day[by_time]
        self.sale_micros = sold[by_time]
        self.sale_register = register[by_time]
        self.sale_customer = customer[by_time]
        self.line_sale = line_sale[line_order]
        self.line_product = line_product[demand_keep][line_order]
        self.line_quantity = line_quantity[demand_keep][line_order]
        self.line_day = self.sale_day[self.line_sale]
        self.line_position = np.arange(len(self.line_sale)) - np.searchsorted(self.line_sale, self.line_sale) + 1
        self.sale_first_line = np.searchsorted(self.line_sale, np.arange(len(by_time) + 1))
        self._number_sales()
        self._assign_shifts()

    def _split_into_tickets(self) -> tuple[Array, Array, Array]:
        """The purchases shuffled within each day (`order`), the ticket of each shuffled purchase,
        and each ticket's first purchase: a new ticket starts with the day, by chance
        (`TICKET_BREAK`), or when one reaches `MAX_LINES_PER_TICKET`."""
        rng = self.ticket_rng
        order = np.lexsort((rng.random(len(self.purchase_day)), self.purchase_day))
        day = self.purchase_day[order]
        count = len(day)
        starts = rng.random(count) < TICKET_BREAK
        starts[np.flatnonzero(np.diff(day, prepend=-1))] = True
        while True:
            ticket = np.cumsum(starts) - 1
            first = np.flatnonzero(starts)
            overflow = (np.arange(count) - first[ticket]) == MAX_LINES_PER_TICKET
            if not overflow.any():
                return order, ticket, first
            starts[overflow] = True

    def _merge_repeats(self, order: Array, ticket: Array) -> tuple[Array, Array, Array]:
        """The tickets' lines (ticket, product, quantity), a product's purchases within one ticket
        merged into one line, in the order the product first appears."""
        key = ticket * self.products + self.purchase_product[order]
        unique_keys, first_seen, inverse = np.unique(key, return_index=True, return_inverse=True)
        merged = np.bincount(inverse, weights=self.purchase_quantity[order]).astype(np.int64)
        in_order = np.argsort(first_seen)
        return unique_keys[in_order] // self.products, unique_keys[in_order] % self.products, merged[in_order]

    def _ring_up(self, ticket_day: Array) -> tuple[Array, Array, Array]:
        """Each ticket's time (a lunch and an evening peak, else any time the shop is open), its
        register (the first ones busier) and its customer (-1: none; regulars more often)."""
        rng, calendar, tickets = self.ticket_rng, self.calendar, len(ticket_day)
        opens, closes = calendar.opens[ticket_day], calendar.closes[ticket_day]
        component = rng.choice(3, size=tickets, p=(0.3, 0.45, 0.25))
        minute = np.where(
            component == 0,
            rng.normal(13 * 60, 75, size=tickets),
            np.where(component == 1, rng.normal(19 * 60 + 15, 80, size=tickets), -1.0),
        )
        inside = (minute >= opens + 2) & (minute <= closes - 2)
        minute = np.where(inside, minute, rng.uniform(opens + 2, closes - 2))
        sold = calendar.midnight[ticket_day] + (minute * 60 * MICROS).astype(np.int64)
        sold += rng.integers(0, 60 * MICROS, size=tickets)
        weights = 0.7 ** np.arange(self.register_count)
        register = rng.choice(self.register_count, size=tickets, p=weights / weights.sum())
        customer = np.full(tickets, -1, dtype=np.int64)
        if self.customer_count:
            loyalty = 1 / np.arange(1, self.customer_count + 1) ** 0.6
            loyalty = loyalty[rng.permutation(self.customer_count)]
            with_customer = rng.random(tickets) < 0.2
            customer[with_customer] = rng.choice(
                self.customer_count, size=int(with_customer.sum()), p=loyalty / loyalty.sum()
            )
        return sold, register, customer

    def _count_demand(self, order: Array, ticket: Array, keep: Array) -> None:
        """Units demanded per product-day cell, of the tickets kept (those before the cut)."""
        ticket_of_line = np.empty(len(order), dtype=np.int64)
        ticket_of_line[order] = ticket
        demanded = keep[ticket_of_line]
        cells = self.purchase_product * self.days + self.purchase_day
        self.demand_cells = np.bincount(
            cells[demanded], weights=self.purchase_quantity[demanded], minlength=self.products * self.days
        ).astype(np.int64)

    def _number_sales(self) -> None:
        """Each register numbers its sales 1, 2, … in time order."""
        sales = len(self.sale_day)
        numbers = np.zeros(sales, dtype=np.int64)
        by_register = np.lexsort((self.sale_micros, self.sale_register))
        register_sorted = self.sale_register[by_register]
        register_first = np.searchsorted(register_sorted, register_sorted)
        numbers[by_register] = np.arange(sales) - register_first + 1
        self.sale_number = numbers

    def _assign_shifts(self) -> None:
        """One shift per register and open day, numbered day by day; each sale's shift."""
        open_days = np.flatnonzero(self.calendar.is_open)
        self.shift_of_day = np.full(self.days, -1, dtype=np.int64)
        self.shift_of_day[open_days] = np.arange(len(open_days))
        self.sale_shift = self.shift_of_day[self.sale_day] * self.register_count + self.sale_register

    # Pricing and payment ---------------------------------------------------------------------

    def price_tickets(self) -> None:
        """Price every ticket with `price_sale` and pay it through `settle` (both pure, so equal
        baskets and equal payments share one result)."""
        rng = self.payment_rng
        sales = len(self.sale_day)
        lines = self._line_prices()
        bounds = self.sale_first_line.tolist()
        method_draw, card_share, exact_draw = rng.random((3, sales)).tolist()
        tendering = Tendering(self.cash_unit, method_draw, card_share, exact_draw)
        baskets: dict[tuple[tuple[int, int, int, int], ...], PricedSale] = {}
        settlements: dict[tuple[int, tuple[TenderInput, ...]], Settlement] = {}
        priced_sales: list[PricedSale] = []
        settled_sales: list[Settlement] = []
        for index in range(sales):
            basket = tuple(lines[bounds[index] : bounds[index + 1]])
            priced = baskets.get(basket)
            if priced is None:
                priced = baskets[basket] = price_sale([LineInput(*line) for line in basket], tax_mode=self.tax_mode)
            total = priced.total
            tenders = tendering.tenders(total, index)
            settled = settlements.get((total, tenders))
            if settled is None:
                settled = settlements[(total, tenders)] = settle(total, tenders)
            priced_sales.append(priced)
            settled_sales.append(settled)
        self._keep_totals(priced_sales, settled_sales)
        self._keep_payments(settled_sales)

    def _line_prices(self) -> list[tuple[int, int, int, int]]:
        """Each line's unit price, discount, cost and tax rate on its day; the lines as
        `LineInput` fields (quantity, unit price, tax rate, discount)."""
        product, day, quantity = self.line_product, self.line_day, self.line_quantity
        self.line_unit_price = self.list_price[product, day]
        self.line_discount = quantity * self.unit_discount[product, day]
        self.line_unit_cost = self.unit_cost[product, day]
        self.line_tax_rate = self.tax_rate[product]
        return list(
            zip(
                quantity.tolist(),
                self.line_unit_price.tolist(),
                self.line_tax_rate.tolist(),
                self.line_discount.tolist(),
                strict=True,
            )
        )

    def _keep_totals(self, priced_sales: list[PricedSale], settled_sales: list[Settlement]) -> None:
        self.line_tax = _column(line.tax_amount for sale in priced_sales for line in sale.lines)
        self.line_total = _column(line.total for sale in priced_sales for line in sale.lines)
        self.sale_subtotal = _column(sale.subtotal for sale in priced_sales)
        self.sale_discount = _column(sale.discount_total for sale in priced_sales)
        self.sale_tax = _column(sale.tax_total for sale in priced_sales)
        self.sale_total = _column(sale.total for sale in priced_sales)
        self.sale_paid = _column(settled.paid_total for settled in settled_sales)
        self.sale_change = _column(settled.change_total for settled in settled_sales)

    def _keep_payments(self, settled_sales: list[Settlement]) -> None:
        """One payment per tender, with a card authorization or transfer reference drawn for it."""
        tender_count = _column(len(settled.tenders) for settled in settled_sales)
        tenders_flat = [tender for settled in settled_sales for tender in settled.tenders]
        self.payment_sale = np.repeat(np.arange(len(settled_sales)), tender_count)
        self.payment_method = [tender.method for tender in tenders_flat]
        self.payment_amount = _column(tender.amount for tender in tenders_flat)
        self.payment_change = _column(tender.change for tender in tenders_flat)
        codes = self.payment_rng.integers(100_000, 1_000_000, size=len(tenders_flat)).tolist()
        self.payment_reference = [
            f"{code:06d}" if method == "card" else f"TEF{code:09d}" if method == "transfer" else ""
            for method, code in zip(self.payment_method, codes, strict=True)
        ]

    # Returns ---------------------------------------------------------------------------------

    def refund(self) -> None:
        """A few returns: one whole line of a sale, at the same register, the same day or up to a
        week later, paid back with the sale's main tender."""
        rng, calendar = self.ticket_rng, self.calendar
        sales = len(self.sale_day)
        chosen = np.flatnonzero(rng.random(sales) < 0.002)
        delay = np.where(rng.random(len(chosen)) < 0.3, 0, rng.integers(1, 8, size=len(chosen)))
        target = np.minimum(self.sale_day[chosen] + delay, self.days)
        target = np.where(target < self.days, calendar.next_open[np.minimum(target, self.days - 1)], self.days)
        valid = target < self.days
        chosen, delay, target = chosen[valid], delay[valid], target[valid]
        opens, closes = calendar.opens[target], calendar.closes[target]
        same_day = self.sale_day[chosen] == target
        later = calendar.midnight[target] + (rng.uniform(opens + 2, closes - 2) * 60 * MICROS).astype(np.int64)
        soon = self.sale_micros[chosen] + (rng.uniform(10, 120, size=len(chosen)) * 60 * MICROS).astype(np.int64)
        when = np.where(same_day, soon, later)
        valid = when <= calendar.midnight[target] + (closes - 2) * 60 * MICROS
        if self.cut is not None:
            valid &= when <= self.cut
        chosen, target, when = chosen[valid], target[valid], when[valid]
        order = np.argsort(when, kind="stable")
        chosen, target, when = chosen[order], target[order], when[order]
        lines_in_sale = self.sale_first_line[chosen + 1] - self.sale_first_line[chosen]
        line = self.sale_first_line[chosen] + (rng.random(len(chosen)) * lines_in_sale).astype(np.int64)
        by_amount = np.lexsort((-self.payment_amount, self.payment_sale))
        sales_paid, first_payment = np.unique(self.payment_sale[by_amount], return_index=True)
        main_method = np.empty(sales, dtype=object)
        main_method[sales_paid] = np.array(self.payment_method, dtype=object)[by_amount[first_payment]]
        reasons = ("Producto vencido", "Producto dañado", "Cliente se arrepintió", "Error de cobro")
        reason = [reasons[index] for index in rng.integers(0, len(reasons), size=len(chosen)).tolist()]
        perishable = self.aisle_perishable[self.line_product[line]]
        damaged = np.array([text in reasons[:2] for text in reason], dtype=bool)
        self.refund_sale = chosen
        self.refund_line = line
        self.refund_micros = when
        self.refund_shift = self.shift_of_day[target] * self.register_count + self.sale_register[chosen]
        self.refund_method = main_method[chosen].tolist()
        self.refund_total = self.line_total[line]
        self.refund_restock = ~(perishable | damaged)
        self.refund_reason = reason
        self.refund_day = target

    # Shifts ----------------------------------------------------------------------------------

    def count_shifts(self) -> None:
        """One shift per register and open day: opened before the first sale with a float,
        closed after the last with a count per method (cash may come up a little short or over)."""
        rng, calendar = self.people_rng, self.calendar
        registers = self.register_count
        open_days = np.flatnonzero(calendar.is_open)
        day = np.repeat(open_days, registers)
        register = np.tile(np.arange(registers), len(open_days))
        shifts = len(day)
        opened = calendar.midnight[day] + (calendar.opens[day] * 60 - rng.integers(300, 1500, size=shifts)) * MICROS
        closed = calendar.midnight[day] + (calendar.closes[day] * 60 + rng.integers(300, 1800, size=shifts)) * MICROS
        opened += rng.integers(0, MICROS, size=shifts)
        closed += rng.integers(0, MICROS, size=shifts)
        opening_float = rng.integers(30, 61, size=shifts) * self.cash_unit
        week = day // 7
        cashier = (register + week) % registers
        status_closed = np.ones(shifts, dtype=bool)
        exists = np.ones(shifts, dtype=bool)
        if self.cut is not None:
            exists = opened <= self.cut
            status_closed = closed <= self.cut

        def per_shift(index: Array, values: Array) -> Array:
            return np.bincount(index, weights=values, minlength=shifts).astype(np.int64)

        methods = np.array(self.payment_method)
        shift_of_payment = self.sale_shift[self.payment_sale]
        refund_methods = np.array(self.refund_method, dtype=object)
        expected: dict[str, Array] = {}
        for method in PAYMENT_METHODS:
            paid = per_shift(shift_of_payment[methods == method], self.payment_amount[methods == method])
            returned = per_shift(
                self.refund_shift[refund_methods == method], self.refund_total[refund_methods == method]
            )
            expected[method] = paid - returned
        expected["cash"] += opening_float - per_shift(shift_of_payment, self.payment_change)
        off = rng.random(shifts) < 0.15
        step = 10 if self.minor_units == 0 else max(1, 10**self.minor_units // 100)
        difference = np.where(off, rng.integers(-150, 101, size=shifts) * step, 0)

        self.shift_day = day
        self.shift_register = register
        self.shift_opened = opened
        self.shift_closed = closed
        self.shift_float = opening_float
        self.shift_cashier = cashier
        self.shift_exists = exists
        self.shift_is_closed = status_closed & exists
        self.shift_expected = expected
        self.shift_difference = difference

    # Stock -----------------------------------------------------------------------------------

    def replenish(self) -> None:
        """Stock from receipts: an opening receipt, then a reorder whenever the evening count is at
        or below the reorder point (arriving `lead_time_days` later, before opening), and an urgent
        top-up on the rare morning when the day's sales would otherwise not be covered."""
        lead, pack, order_up_to = self._reorder_policy()
        receipts = self._run_stock(lead, pack, order_up_to)
        product, day_of, quantity, kind = receipts.arrays()
        rng, calendar = self.stock_rng, self.calendar
        before_opening = rng.integers(15 * 60, 75 * 60, size=len(day_of)) * MICROS
        when = calendar.midnight[day_of] + calendar.opens[day_of] * 60 * MICROS - before_opening
        when = np.where(kind == _Receipts.OPENING, when - 30 * 60 * MICROS, when)
        when += rng.integers(0, MICROS, size=len(day_of))
        if self.cut is not None:
            keep = when <= self.cut
            product, quantity, kind, when = product[keep], quantity[keep], kind[keep], when[keep]
        self.receipt_product = product
        self.receipt_quantity = quantity
        self.receipt_kind = kind
        self.receipt_micros = when

    def _reorder_policy(self) -> tuple[Array, Array, Array]:
        """Per product: the lead time in days, the pack size, and the order-up-to level; keeps
        `lead_time` and `reorder_point` (mean demand over the lead time, plus safety stock)."""
        rng, products, days = self.stock_rng, self.products, self.days
        aisles = [AISLES[index] for index in self.catalog.aisle.tolist()]
        low = np.array([aisle.lead_time[0] for aisle in aisles])
        high = np.array([aisle.lead_time[1] for aisle in aisles])
        lead = rng.integers(low, high + 1)
        live = np.arange(days)[None, :] >= self.launch[:, None]
        mean = np.where(live, self.expected, 0).sum(axis=1) / np.maximum(live.sum(axis=1), 1)
        pack = np.where(mean >= 4, 12, np.where(mean >= 1, 6, 1))
        cover = lead + 1
        safety = 2 * np.sqrt(mean * (self.basket + 1) * cover)
        reorder_point = np.ceil(mean * cover * rng.uniform(1.1, 1.4, size=products) + safety).astype(np.int64)
        cycle = np.ceil(mean * rng.uniform(7, 14, size=products)).astype(np.int64)
        self.lead_time = lead
        self.reorder_point = reorder_point
        return lead, pack, reorder_point + np.maximum(cycle, pack)

    def _returned_units(self) -> Array:
        """Units back on the shelf per product and day, from the refunds that restock."""
        products, days = self.products, self.days
        returns = np.zeros(products * days, dtype=np.int64)
        restocked = self.refund_restock
        np.add.at(
            returns,
            self.line_product[self.refund_line[restocked]] * days + self.refund_day[restocked],
            self.line_quantity[self.refund_line[restocked]],
        )
        return returns.reshape(products, days)

    def _run_stock(self, lead: Array, pack: Array, order_up_to: Array) -> _Receipts:
        """Day by day: launches stocked, orders arriving, urgent top-ups before opening, the
        day's sales and returns, and the evening's reorders (placed on open days)."""
        calendar, products, days = self.calendar, self.products, self.days
        sold = self.demand_cells.reshape(products, days)
        returned = self._returned_units()
        reorder_point = self.reorder_point
        arriving = np.zeros((products, days), dtype=np.int64)
        on_order = np.zeros(products, dtype=bool)
        stock = np.zeros(products, dtype=np.int64)
        receipts = _Receipts()
        for day in range(days):
            launched = np.flatnonzero(self.launch == day)
            stock[launched] += order_up_to[launched]
            receipts.add(launched, day, order_up_to[launched], _Receipts.OPENING)
            arrived = np.flatnonzero(arriving[:, day])
            stock[arrived] += arriving[arrived, day]
            on_order[arrived] = False
            receipts.add(arrived, day, arriving[arrived, day], _Receipts.REORDER)
            short = np.flatnonzero(sold[:, day] > stock)
            top_up = np.maximum(sold[short, day] - stock[short], order_up_to[short] - stock[short])
            stock[short] += top_up
            receipts.add(short, day, top_up, _Receipts.URGENT)
            stock += returned[:, day] - sold[:, day]
            due = np.flatnonzero(~on_order & (stock <= reorder_point) & (self.launch <= day))
            if len(due) and calendar.is_open[day]:
                quantity = -(-(order_up_to[due] - stock[due]) // pack[due]) * pack[due]
                arrival = calendar.next_open[np.minimum(day + lead[due], days - 1)]
                arrival = np.where(day + lead[due] < days, arrival, days)
                on_order[due] = True
                inside = arrival < days
                arriving[due[inside], arrival[inside]] += quantity[inside]
        return receipts


def _column(values: Iterable[int]) -> Array:
    return np.fromiter(values, dtype=np.int64)


class _Receipts:
    """Stock receipts gathered day by day: product, day, quantity and kind (`OPENING`, `REORDER`,
    `URGENT`), in the order they were made."""

    OPENING, REORDER, URGENT = 0, 1, 2

    def __init__(self) -> None:
        self.product: list[Array] = []
        self.day: list[Array] = []
        self.quantity: list[Array] = []
        self.kind: list[Array] = []

    def add(self, products: Array, day: int, quantities: Array, kind: int) -> None:
        """Receipts of `products` on `day` (nothing when `products` is empty)."""
        if len(products):
            self.product.append(products)
            self.day.append(np.full(len(products), day))
            self.quantity.append(quantities)
            self.kind.append(np.full(len(products), kind))

    def arrays(self) -> tuple[Array, Array, Array, Array]:
        if not self.product:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        return (
            np.concatenate(self.product),
            np.concatenate(self.day),
            np.concatenate(self.quantity),
            np.concatenate(self.kind),
        )
