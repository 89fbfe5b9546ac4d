"""Write `pwa/src/offline/money.vectors.json`: sales, discount shares, settlements and refunds
priced by the server's own code (`server.sales.pricing`, `refund_share`), with a fixed seed, so
that the till's `money.test.ts` checks its arithmetic against the server's, case by case.

    .venv/bin/python pwa/scripts/money_vectors.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from server.sales.pricing import LineInput, PricingError, TenderInput, allocate, price_sale, settle
from server.sales.refunds import refund_share

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "offline" / "money.vectors.json"


def price_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for _ in range(160):
        mode = rng.choice(["inclusive", "exclusive"])
        lines = []
        for _ in range(rng.randint(1, 6)):
            quantity = rng.choice([1, 1, 2, 3, 7, 12, rng.randint(1, 1000)])
            price = rng.choice([0, 1, 99, 1990, 250000, rng.randint(1, 10**7), rng.randint(10**9, 10**12)])
            rate = rng.choice([0, 1000, 1900, 2100, 500, 10000])
            discount = rng.choice([0, 0, 0, rng.randint(0, quantity * price)])
            lines.append({"quantity": quantity, "unit_price": price, "tax_rate_bp": rate, "discount": discount})
        bases = sum(line["quantity"] * line["unit_price"] - line["discount"] for line in lines)
        sale_discount = rng.choice([0, 0, rng.randint(0, max(0, bases)), bases])
        priced = price_sale([LineInput(**line) for line in lines], sale_discount=sale_discount, tax_mode=mode)
        expected = {
            "lines": [
                {"sale_discount_share": line.sale_discount_share, "tax_amount": line.tax_amount, "total": line.total}
                for line in priced.lines
            ],
            "subtotal": priced.subtotal,
            "discount_total": priced.discount_total,
            "tax_total": priced.tax_total,
            "total": priced.total,
        }
        cases.append({"tax_mode": mode, "lines": lines, "sale_discount": sale_discount, "expected": expected})
    return cases


def allocate_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for _ in range(60):
        weights = [rng.randint(0, 10 ** rng.randint(0, 9)) for _ in range(rng.randint(1, 7))]
        amount = rng.randint(0, 10 ** rng.randint(0, 9))
        cases.append({"amount": amount, "weights": weights, "expected": allocate(amount, weights)})
    return cases


def refund_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for _ in range(60):
        quantity, total = rng.randint(1, 50), rng.randint(0, 10**8)
        already = rng.randint(0, quantity - 1)
        units = rng.randint(1, quantity - already)
        expected = refund_share(total, quantity, already, units)
        cases.append({"total": total, "quantity": quantity, "already": already, "refund": units, "expected": expected})
    return cases


def settle_cases(rng: random.Random) -> list[dict[str, Any]]:
    cases = []
    for _ in range(40):
        total = rng.randint(1, 10**6)
        tenders = [
            {"method": rng.choice(["cash", "card", "other", "cash"]), "amount": rng.randint(1, total)}
            for _ in range(rng.randint(1, 3))
        ]
        try:
            settled = settle(total, [TenderInput(**tender) for tender in tenders])
            expected: dict[str, Any] = {
                "change_total": settled.change_total,
                "paid_total": settled.paid_total,
                "changes": [tender.change for tender in settled.tenders],
            }
        except PricingError as error:
            expected = {"error": str(error)}
        cases.append({"total": total, "tenders": tenders, "expected": expected})
    return cases


def main() -> None:
    rng = random.Random(13)
    vectors = {
        "price": price_cases(rng),
        "allocate": allocate_cases(rng),
        "refund": refund_cases(rng),
        "settle": settle_cases(rng),
    }
    blocks = []
    for name, cases in vectors.items():
        rows = ",\n".join("    " + json.dumps(case, separators=(",", ":"), ensure_ascii=False) for case in cases)
        blocks.append(f'  "{name}": [\n{rows}\n  ]')
    OUTPUT.write_text("{\n" + ",\n".join(blocks) + "\n}\n")


if __name__ == "__main__":
    main()
