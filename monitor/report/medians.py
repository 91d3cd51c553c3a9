"""Medians by group, computed by the database: percentile_cont on PostgreSQL, the middle rows of a window on SQLite."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.selectable import Subquery

from monitor.report.scope import Scope

__all__ = ["medians"]


def medians(scope: Scope, rows: Subquery, keys: Sequence[str], value: str) -> dict[tuple[Any, ...], tuple[float, int]]:
    """The median of column `value` and the number of rows, per group of columns `keys` of `rows`."""
    group = [rows.c[key] for key in keys]
    column = rows.c[value]
    found: dict[tuple[Any, ...], tuple[float, int]] = {}
    if scope.dialect == "postgresql":
        query = select(*group, func.percentile_cont(0.5).within_group(column), func.count()).group_by(*group)
        for row in scope.connection.execute(query):
            *names, middle, size = tuple(row)
            found[tuple(names)] = (float(middle), int(size))
        return found
    ranked = select(
        *group,
        column.label("value"),
        func.row_number().over(partition_by=group, order_by=column).label("rank"),
        func.count().over(partition_by=group).label("size"),
    ).subquery()
    # The middle row (odd count) or the two middle rows (even count) of each group: 2*rank in [size, size+2].
    middle = select(*(ranked.c[key] for key in keys), ranked.c.value, ranked.c.size).where(
        ranked.c.rank * 2 >= ranked.c.size, ranked.c.rank * 2 <= ranked.c.size + 2
    )
    values: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    sizes: dict[tuple[Any, ...], int] = {}
    for row in scope.connection.execute(middle):
        *names, number, size = tuple(row)
        values[tuple(names)].append(float(number))
        sizes[tuple(names)] = int(size)
    return {name: (sum(numbers) / len(numbers), sizes[name]) for name, numbers in values.items()}
