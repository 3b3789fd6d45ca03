"""The import graph's shape (issue 13): flow modules, flow-to-flow edges and cycles, and cycles among all
of bot's modules, read with grimp (import-linter's own graph library). Printed, never asserted: the
import-linter contracts in pyproject.toml are what CI enforces.

    .venv/bin/python benchmarks/import_graph.py
"""

from __future__ import annotations

import sys

import grimp


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> tuple[list[list[str]], int]:
    """(the groups of modules that import each other in a ring, the number of edges among `modules`)."""
    sys.setrecursionlimit(10_000)
    edges = {m: [n for n in graph.find_modules_directly_imported_by(m) if n in modules] for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found, sum(len(targets) for targets in edges.values())


def main() -> None:
    graph = grimp.build_graph("bot", "storage")
    flows = {m for m in graph.modules if m.startswith("bot.") and m.rsplit(".", 1)[-1].startswith("flows")}
    flow_cycles, flow_edges = cycles(graph, flows)
    across = sum(
        1
        for m in flows
        for n in graph.find_modules_directly_imported_by(m)
        if n in flows and m.split(".")[1] != n.split(".")[1]
    )
    everything = {m for m in graph.modules if m.startswith("bot.")}
    all_cycles, all_edges = cycles(graph, everything)
    print(f"flow modules: {len(flows)}; flow-to-flow edges: {flow_edges} ({across} across features)")
    print(f"cycles among flow modules: {len(flow_cycles)} {flow_cycles or ''}")
    print(f"bot modules: {len(everything)}; edges: {all_edges}; module cycles: {len(all_cycles)}")
    for group in all_cycles:
        print("  ", " <-> ".join(group))


if __name__ == "__main__":
    main()
