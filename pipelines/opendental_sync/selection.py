"""Which tables a run copies: the registry's (tables.toml) in its order, then source tables it does not
list (when asked for), less those refused by name or shape, each refusal with why."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from opendental_sync.names import refused_tables
from opendental_sync.registry import TableSpec, check_against_source, infer_spec, load_registry
from opendental_sync.source_schema import SourceTable

log = logging.getLogger(__name__)


class SelectionError(ValueError):
    """The tables or group asked for on the command line do not exist."""


@dataclass
class Selection:
    """The tables a run copies, and those it refuses (each with why: the run reports them as failed)."""

    specs: list[TableSpec]
    refused: dict[str, str] = field(default_factory=dict)


def select_specs(
    tables: dict[str, SourceTable],
    row_estimates: dict[str, int],
    group: str,
    names: Sequence[str] | None,
    load_unregistered: bool,
) -> list[TableSpec]:
    """The tables this run copies, registry order first, then unregistered source tables by name."""
    return select_tables(tables, row_estimates, group, names, load_unregistered).specs


def select_tables(
    tables: dict[str, SourceTable],
    row_estimates: dict[str, int],
    group: str,
    names: Sequence[str] | None,
    load_unregistered: bool,
    excluded: Sequence[str] = (),
) -> Selection:
    """Like select_specs, with the refused tables: names that would overwrite the pipeline's bookkeeping or
    merge two source objects (names.py), and tables without a primary key asked for by name."""
    registry = load_registry()
    skip = {n.lower() for n in excluded}
    tables = {n: t for n, t in tables.items() if n.lower() not in skip}
    refused = refused_tables(tables)
    specs: list[TableSpec] = []
    absent = [name for name in registry if name not in tables and name.lower() not in skip]
    if absent:
        log.warning(
            "%d table(s) of tables.toml are not in the source and are skipped: %s", len(absent), ", ".join(absent)
        )
    groups: dict[str, str] = {}
    for name, spec in registry.items():
        if name in tables:
            groups[name] = spec.group
            if name not in refused:
                check_against_source(spec, tables[name])
                specs.append(spec)
    for name in sorted(set(tables) - set(registry)):
        inferred = infer_spec(tables[name], row_estimates.get(name, 0))
        if inferred is None:
            if names and name in names:
                refused[name] = (
                    f"table {name!r} has no primary key: its rows cannot be merged or proven by key. Add a primary "
                    "key in the source, or leave it out (sources.opendental.exclude_tables)"
                )
            else:
                log.warning("%s has no primary key; it cannot be copied by key and is skipped", name)
        elif load_unregistered or (names and name in names):
            groups[name] = inferred.group
            if name not in refused:
                specs.append(inferred)
    if names:
        by_name = {s.name: s for s in specs}
        unknown = [n for n in names if n not in by_name and n not in refused]
        if unknown:
            raise SelectionError(f"unknown table(s) {', '.join(unknown)}; the source has: {', '.join(sorted(by_name))}")
        return Selection([by_name[n] for n in names if n in by_name], {n: refused[n] for n in names if n in refused})
    if group != "all":
        specs = [s for s in specs if s.group == group]
    wanted = {n: why for n, why in refused.items() if group == "all" or groups.get(n, "low") == group}
    return Selection(specs, wanted)
