from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditEntry
from server.core.context import Context
from server.core.errors import Conflict, NotFound, ValidationFailed
from server.core.pagination import PageQuery
from server.customers import service
from server.customers.schemas import CustomerCreate, CustomerQuery, CustomerUpdate
from tests.conftest import TenantSession
from tests.server.customers.conftest import AddSales, OpenContext

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def new_customer(ctx: Context, name: str = "Ana", **fields: object) -> uuid.UUID:
    return (await service.create_customer(ctx, CustomerCreate(name=name, **fields))).id  # type: ignore[arg-type]


async def audit_entries(ctx: Context, customer_id: uuid.UUID) -> list[AuditEntry]:
    await ctx.session.flush()
    rows = await ctx.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "customer", AuditEntry.entity_id == str(customer_id))
        .order_by(AuditEntry.id)
    )
    return list(rows)


async def test_create_normalizes_fields_and_audits(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        created = await service.create_customer(
            ctx,
            CustomerCreate(
                name="  Ana   Pérez ",
                tax_id=" 12.345.678-k ",
                email="  Ana.Perez@Example.COM ",
                phone="+56 (9) 1234-5678",
                address=" Av. Siempre Viva 742 ",
                notes=" prefers invoices ",
            ),
        )
        assert (created.name, created.tax_id, created.email, created.phone) == (
            "Ana Pérez",
            "12345678-K",
            "ana.perez@example.com",
            "+56912345678",
        )
        assert (created.address, created.notes) == ("Av. Siempre Viva 742", "prefers invoices")
        assert (created.visits, created.total_spent, created.last_purchase_at, created.is_active) == (0, 0, None, True)
        [entry] = await audit_entries(ctx, created.id)
        assert entry.action == "customer.created"
        assert entry.actor_id == tenant_a.admin_id and entry.ip == "198.51.100.9"
        assert entry.before is None
        assert entry.after == {
            "name": "Ana Pérez",
            "tax_id": "12345678-K",
            "email": "ana.perez@example.com",
            "phone": "+56912345678",
            "address": "Av. Siempre Viva 742",
            "notes": "prefers invoices",
            "is_active": True,
        }


async def test_empty_contact_fields_mean_none(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        first = await service.create_customer(ctx, CustomerCreate(name="A", tax_id=" ", email="", phone=" "))
        second = await service.create_customer(ctx, CustomerCreate(name="B", tax_id="", email=None))
        assert (first.tax_id, first.email, first.phone) == (None, None, None)
        assert second.tax_id is None  # no tax id never collides with another


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "   "),
        ("tax_id", "1.2"),
        ("tax_id", "-12345"),
        ("tax_id", "12345678/"),
        ("tax_id", "1" * 33),
        ("email", "not-an-email"),
        ("email", "ana@localhost"),
        ("phone", "12 3"),
        ("phone", "56+912345678"),
    ],
)
async def test_invalid_fields_are_422_at_the_field(
    open_context: OpenContext, tenant_a: TenantSession, field: str, value: str
) -> None:
    fields = {"name": "Valid", field: value}
    async with open_context(tenant_a) as ctx:
        with pytest.raises(ValidationFailed) as raised:
            await service.create_customer(ctx, CustomerCreate(**fields))  # type: ignore[arg-type]
        assert raised.value.errors is not None
        assert raised.value.errors[0].loc == ["body", field]
        customer_id = await new_customer(ctx)
        with pytest.raises(ValidationFailed) as raised:
            await service.update_customer(ctx, customer_id, CustomerUpdate(**{field: value}))  # type: ignore[arg-type]
        assert raised.value.errors is not None
        assert raised.value.errors[0].loc == ["body", field]
        assert (await service.read_customer(ctx, customer_id)).name == "Ana"


async def test_tax_id_is_unique_per_tenant_after_normalization(
    open_context: OpenContext, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    async with open_context(tenant_a) as ctx:
        await new_customer(ctx, "First", tax_id="12.345.678-9")
        with pytest.raises(Conflict) as raised:
            await new_customer(ctx, "Second", tax_id="12345678-9")
        assert raised.value.code == "tax_id_taken"
        other = await new_customer(ctx, "Third", tax_id="98765432-1")
        with pytest.raises(Conflict):
            await service.update_customer(ctx, other, CustomerUpdate(tax_id="12 345 678-9"))
        # The savepoint kept the transaction usable, and nothing of the failed writes remains.
        assert (await service.read_customer(ctx, other)).tax_id == "98765432-1"
        names = [c.name for c in (await service.list_customers(ctx, CustomerQuery())).items]
        assert names == ["First", "Third"]
    async with open_context(tenant_b) as ctx:
        assert (await service.create_customer(ctx, CustomerCreate(name="B", tax_id="12345678-9"))).tax_id


async def test_update_audits_changes_and_skips_no_ops(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx, "Ana", tax_id="111-1", email="ana@example.com")
        updated = await service.update_customer(
            ctx, customer_id, CustomerUpdate(name="Ana María", tax_id=None, phone="+56 2 2345 6789")
        )
        assert (updated.name, updated.tax_id, updated.email, updated.phone) == (
            "Ana María",
            None,
            "ana@example.com",
            "+56223456789",
        )
        await service.update_customer(ctx, customer_id, CustomerUpdate(name=" Ana  María "))  # no change
        await service.update_customer(ctx, customer_id, CustomerUpdate(is_active=False))
        await service.update_customer(ctx, customer_id, CustomerUpdate(is_active=True))
        entries = await audit_entries(ctx, customer_id)
        assert [entry.action for entry in entries] == [
            "customer.created",
            "customer.updated",
            "customer.deactivated",
            "customer.reactivated",
        ]
        assert entries[1].before is not None and entries[1].after is not None
        assert (entries[1].before["name"], entries[1].after["name"]) == ("Ana", "Ana María")
        assert (entries[1].before["tax_id"], entries[1].after["tax_id"]) == ("111-1", None)


async def test_deactivate_is_soft_and_idempotent(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx)
        await service.deactivate_customer(ctx, customer_id)
        await service.deactivate_customer(ctx, customer_id)
        customer = await service.read_customer(ctx, customer_id)
        assert customer.is_active is False
        actions = [entry.action for entry in await audit_entries(ctx, customer_id)]
        assert actions == ["customer.created", "customer.deactivated"]
        active = await service.list_customers(ctx, CustomerQuery(is_active=True))
        inactive = await service.list_customers(ctx, CustomerQuery(is_active=False))
        assert customer_id not in {c.id for c in active.items}
        assert [c.id for c in inactive.items] == [customer_id]


async def test_other_tenants_customer_is_not_found_everywhere(
    open_context: OpenContext, tenant_a: TenantSession, tenant_b: TenantSession
) -> None:
    async with open_context(tenant_b) as ctx:
        foreign = await new_customer(ctx, "Bea")
    async with open_context(tenant_a) as ctx:
        for customer_id in (foreign, uuid.uuid4()):
            calls = [
                service.read_customer(ctx, customer_id),
                service.update_customer(ctx, customer_id, CustomerUpdate(name="Hacked")),
                service.deactivate_customer(ctx, customer_id),
                service.purchase_history(ctx, customer_id, PageQuery()),
                service.record_purchase(ctx, customer_id=customer_id, amount=100, at=T0),
                service.reverse_purchase(ctx, customer_id=customer_id, amount=100),
            ]
            for call in calls:
                with pytest.raises(NotFound) as raised:
                    await call
                assert raised.value.problem() == NotFound("no such customer").problem()
        assert (await service.list_customers(ctx, CustomerQuery())).items == []
    async with open_context(tenant_b) as ctx:
        untouched = await service.read_customer(ctx, foreign)
        assert (untouched.name, untouched.is_active, untouched.visits) == ("Bea", True, 0)


async def test_record_purchase_is_atomic_under_concurrency(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx)
    amounts = [1_000 + 37 * n for n in range(20)]
    times = [T0 + timedelta(minutes=(n * 7) % 20) for n in range(20)]

    async def sale(amount: int, at: datetime) -> None:
        async with open_context(tenant_a) as ctx:
            await service.record_purchase(ctx, customer_id=customer_id, amount=amount, at=at)

    await asyncio.gather(*(sale(amount, at) for amount, at in zip(amounts, times, strict=True)))
    async with open_context(tenant_a) as ctx:
        customer = await service.read_customer(ctx, customer_id)
    assert customer.visits == 20
    assert customer.total_spent == sum(amounts)
    assert customer.last_purchase_at == max(times)


async def test_record_purchase_never_moves_last_purchase_back(
    open_context: OpenContext, tenant_a: TenantSession
) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx)
        customer = await service.get_customer(ctx, customer_id)
        await service.record_purchase(ctx, customer_id=customer_id, amount=500, at=T0)
        await service.record_purchase(ctx, customer_id=customer_id, amount=0, at=T0 - timedelta(days=3))
        # The customer already loaded in this session reflects the update.
        assert (customer.visits, customer.total_spent, customer.last_purchase_at) == (2, 500, T0)
        assert customer.updated_at >= customer.created_at
        with pytest.raises(ValueError):
            await service.record_purchase(ctx, customer_id=customer_id, amount=-1, at=T0)
        with pytest.raises(ValueError):
            await service.record_purchase(ctx, customer_id=customer_id, amount=1, at=T0.replace(tzinfo=None))


async def test_reverse_purchase_never_goes_below_zero(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx)
        await service.record_purchase(ctx, customer_id=customer_id, amount=1_000, at=T0)
        await service.record_purchase(ctx, customer_id=customer_id, amount=400, at=T0)
        await service.reverse_purchase(ctx, customer_id=customer_id, amount=300)
        customer = await service.read_customer(ctx, customer_id)
        assert (customer.visits, customer.total_spent, customer.last_purchase_at) == (2, 1_100, T0)
        await service.reverse_purchase(ctx, customer_id=customer_id, amount=400, void=True)
        assert ((c := await service.read_customer(ctx, customer_id)).visits, c.total_spent) == (1, 700)
        await service.reverse_purchase(ctx, customer_id=customer_id, amount=5_000, void=True)
        await service.reverse_purchase(ctx, customer_id=customer_id, amount=1, void=True)
        assert ((c := await service.read_customer(ctx, customer_id)).visits, c.total_spent) == (0, 0)


async def test_purchase_history_is_newest_first_and_only_the_customers(
    open_context: OpenContext, add_sales: AddSales, tenant_a: TenantSession
) -> None:
    async with open_context(tenant_a) as ctx:
        customer_id = await new_customer(ctx, "Ana")
        other_id = await new_customer(ctx, "Otro")
    same_time = T0 + timedelta(days=1)
    ids = await add_sales(
        tenant_a,
        customer_id,
        [
            (1_000, T0, "completed"),
            (2_000, same_time, "voided"),
            (3_000, same_time, "completed"),
            (4_000, T0, "completed"),
        ],
    )
    await add_sales(tenant_a, other_id, [(9_999, T0 + timedelta(days=9), "completed")])
    await add_sales(tenant_a, None, [(8_888, T0 + timedelta(days=9), "completed")])
    async with open_context(tenant_a) as ctx:
        first = await service.purchase_history(ctx, customer_id, PageQuery(limit=3))
        second = await service.purchase_history(ctx, customer_id, PageQuery(limit=3, offset=3))
        empty = await service.purchase_history(ctx, other_id, PageQuery(offset=1))
    history = first.items + second.items
    assert [sale.id for sale in history] == sorted(ids[1:3], reverse=True) + sorted([ids[0], ids[3]], reverse=True)
    assert first.next_offset == 3 and second.next_offset is None
    assert {sale.status for sale in history} == {"completed", "voided"}
    assert history[0].invoice_number.endswith(("-2", "-3"))
    assert empty.items == []


async def test_search_sort_and_pages(open_context: OpenContext, tenant_a: TenantSession) -> None:
    async with open_context(tenant_a) as ctx:
        ana = await new_customer(
            ctx, "ana Pérez", tax_id="12.345.678-5", email="ana@example.com", phone="+56 9 1111 2222"
        )
        andres = await new_customer(ctx, "Andrés", tax_id="7654321-0", email="andres@shop.cl", phone="+56 2 3333 4444")
        bea = await new_customer(ctx, "Bea", email="bea_1@example.com")
        percent = await new_customer(ctx, "100% Café")
        for customer_id, amount, at in ((ana, 500, T0), (bea, 900, T0 + timedelta(hours=1)), (percent, 500, T0)):
            await service.record_purchase(ctx, customer_id=customer_id, amount=amount, at=at)

        async def found(search: str) -> list[uuid.UUID]:
            return [c.id for c in (await service.list_customers(ctx, CustomerQuery(search=search))).items]

        async def ordered(sort: str) -> list[uuid.UUID]:
            return [c.id for c in (await service.list_customers(ctx, CustomerQuery(sort=sort))).items]  # type: ignore[arg-type]

        assert await found("AN") == [ana, andres]
        assert await found("ANA p") == [ana]
        assert await found("perez") == [ana]  # anywhere in the name, accents and case folded
        assert await found("12.345") == [ana]
        assert await found("12345678-5") == [ana]
        assert await found("7654") == [andres]
        assert await found("ANDRES@") == [andres]
        assert await found("+56 9") == [ana]
        assert await found("+562") == [andres]
        assert await found("bea_") == [bea]
        assert await found("bea%") == []
        assert await found("%") == [percent]  # a literal percent sign, not a wildcard
        assert await found("100%") == [percent]
        assert await found("  ") == [percent, ana, andres, bea]  # blank search filters nothing

        assert await ordered("name") == [percent, ana, andres, bea]
        assert await ordered("-name") == [bea, andres, ana, percent]
        assert await ordered("total_spent") == [andres, *sorted([ana, percent]), bea]
        assert await ordered("-total_spent") == [bea, *sorted([ana, percent], reverse=True), andres]
        assert await ordered("last_purchase_at") == [*sorted([ana, percent]), bea, andres]
        assert await ordered("-last_purchase_at") == [bea, *sorted([ana, percent], reverse=True), andres]
        assert await ordered("created_at") == [ana, andres, bea, percent]
        assert await ordered("-created_at") == [percent, bea, andres, ana]

        pages: list[list[uuid.UUID]] = []
        offset: int | None = 0
        while offset is not None:
            page = await service.list_customers(ctx, CustomerQuery(limit=3, offset=offset, sort="-total_spent"))
            pages.append([c.id for c in page.items])
            offset = page.next_offset
        assert pages == [[bea, *sorted([ana, percent], reverse=True)], [andres]]
