"""The import graph of the Python packages stays as docs/architecture.md draws it.

Every import counts, at the top of a module or inside a function (an import moved into a function
still makes the two modules need each other). `from package import name` counts as an import of
the module `package.name` when that is a module, else of `package`.

- No new import cycle: the cycles known today are listed in `KNOWN_CYCLES`, and every cycle found
  must lie inside one of them, so the list can only shrink. When a cycle is broken, take it out.
- A business domain (`server/<domain>/`) never imports `realtime`, `sync` or `forecasting`: those
  call the domains, not the other way round (domains reach them only through
  `server.core.events`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "realtime", "sync", "forecasting")
OUTER_LAYERS = ("realtime", "sync", "forecasting")
NOT_DOMAINS = ("core", "migrations")
"""Sub-packages of `server` that are not business domains."""

KNOWN_CYCLES: tuple[frozenset[str], ...] = ()

KNOWN_DOMAIN_IMPORTS: dict[str, frozenset[str]] = {}
"""Domains that reach an outer layer today, and what they import (none: jobs are enqueued by
name through `server.job_queue`); the list may only shrink."""


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "migrations" in parts:
                continue  # Alembic's scripts are loaded by path, not imported
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module and the modules of ours it imports, anywhere in its body."""
    known = modules(root)

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(resolve(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                targets.update(resolve(f"{module}.{alias.name}") for alias in node.names)
        graph[name] = {target for target in targets if target is not None and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "server" / "shop"
    package.mkdir(parents=True)
    (tmp_path / "server" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from . import sales\n")
    (package / "sales.py").write_text("def later():\n    from server.shop import stock\n    return stock\n")
    (package / "stock.py").write_text("import server.shop.sales\nfrom .sales import later\nfrom sync import x\n")
    graph = import_graph(tmp_path)
    assert graph == {
        "server": set(),
        "server.shop": {"server.shop.sales"},
        "server.shop.sales": {"server.shop.stock"},
        "server.shop.stock": {"server.shop.sales"},
    }
    assert cycles(graph) == [frozenset({"server.shop.sales", "server.shop.stock"})]


def test_cycle_detection_finds_a_cycle_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]


def test_no_new_import_cycle() -> None:
    new = [sorted(cycle) for cycle in cycles(import_graph()) if not any(cycle <= known for known in KNOWN_CYCLES)]
    assert not new, f"new import cycles (a third, smaller module is missing): {new}"


def is_domain(module: str) -> bool:
    parts = module.split(".")
    return (
        parts[0] == "server"
        and len(parts) > 1
        and parts[1] not in NOT_DOMAINS
        and (ROOT / "server" / parts[1]).is_dir()
    )


def test_domains_do_not_import_the_outer_layers() -> None:
    assert is_domain("server.sales") and is_domain("server.sales.sales") and not is_domain("server.app")
    offending = {
        module: sorted(
            target
            for target in targets
            if target.split(".")[0] in OUTER_LAYERS and target not in KNOWN_DOMAIN_IMPORTS.get(module, ())
        )
        for module, targets in import_graph().items()
        if is_domain(module)
    }
    assert not {module: targets for module, targets in offending.items() if targets}
