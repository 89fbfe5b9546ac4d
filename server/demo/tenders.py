"""How a demo sale is paid: the tenders a customer hands over for a total."""

from __future__ import annotations

import numpy as np

from server.sales.pricing import TenderInput


class Tendering:
    """How each sale is paid, from draws made up front (one of each per sale): mostly card, cash
    for small amounts (exact or rounded up to a note), some transfers, rarely card and cash."""

    def __init__(self, unit: int, method_draw: list[float], card_share: list[float], exact_draw: list[float]) -> None:
        self.unit = unit
        self.method_draw, self.card_share, self.exact_draw = method_draw, card_share, exact_draw
        self.denominations = [unit * k for k in (1, 2, 5, 10, 20)]
        self.thresholds = np.cumsum((0.3, 0.25, 0.15, 0.17, 0.08, 0.05)).tolist()

    def tenders(self, total: int, index: int) -> tuple[TenderInput, ...]:
        unit, draw = self.unit, self.method_draw[index]
        small = total < 3 * unit
        if draw < 0.05 and total >= 4 * unit:
            card = min(max(int(total * (0.3 + 0.5 * self.card_share[index])) // unit * unit, unit), total - 1)
            return (TenderInput("card", card), self.in_cash(total - card, index))
        if draw < (0.6 if small else 0.35):
            return (self.in_cash(total, index),)
        if draw < (0.66 if small else 0.47):
            return (TenderInput("transfer", total),)
        return (TenderInput("card", total),)

    def in_cash(self, amount: int, index: int) -> TenderInput:
        """Cash: the exact amount, or rounded up to the note the customer hands over."""
        draw = self.exact_draw[index]
        if draw < self.thresholds[0]:
            return TenderInput("cash", amount)
        denomination = next(
            (d for d, t in zip(self.denominations, self.thresholds[1:], strict=True) if draw < t), self.unit
        )
        return TenderInput("cash", -(-amount // denomination) * denomination)
