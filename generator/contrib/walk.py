"""Visit every string of a run file's JSON data with its field path (`results.3.error`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def strings(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string value and every string dictionary key, depth first."""
    if isinstance(data, str):
        yield path or "(top level)", data
    elif isinstance(data, dict):
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield f"{child} (key)", key
            yield from strings(value, child)
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from strings(value, f"{path}.{i}" if path else str(i))


def map_strings(data: Any, change: Callable[[str, str], str], path: str = "") -> Any:
    """A copy of `data` with every string value and key passed through `change(path, text)`."""
    if isinstance(data, str):
        return change(path or "(top level)", data)
    if isinstance(data, dict):
        out: dict[Any, Any] = {}
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            new_key = change(f"{child} (key)", key) if isinstance(key, str) else key
            out[new_key] = map_strings(value, change, child)
        return out
    if isinstance(data, list | tuple):
        return [map_strings(v, change, f"{path}.{i}" if path else str(i)) for i, v in enumerate(data)]
    return data
