"""Every problem of a document in one run: the shape's, and the checks' of what has a shape.

Pydantic stops at the shape; the checks that need the database (zones, contacts,
accounts, identities) need a parsed document. So that an operator fixes a document in
one pass, a document with shape problems is salvaged: each bad field is left out (or,
when it cannot be, the list element holding it), the rest is parsed, and its checks
run too. Their problems are given back with the original JSON paths, minus those the
shape problems already explain (a problem inside a left-out element, or a reference
to a contact or account that was left out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from core.ingest.document import Document, Problem, json_path, shape_problems

Loc = tuple[int | str, ...]
ROUNDS = 4  # leaving a field out may uncover a missing one: a few rounds, then give up
_SEGMENT = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")
# Checks whose problem names a thing of the document: silent when that thing was left out.
_REFERENCES = ("No contact has the key", "There is no account")


@dataclass
class Salvaged:
    """The parsed part of a document, and how to speak of it in the original's terms."""

    doc: Document
    cuts: set[Loc] = field(default_factory=set)  # list elements left out (original locs)
    dropped_names: set[str] = field(default_factory=set)  # their contact keys, account numbers
    kept: dict[Loc, list[int]] = field(default_factory=dict)  # pruned list loc -> original indices

    def original(self, path: str) -> str:
        """A JSON path of the pruned document as a path of the original one."""
        loc: list[int | str] = []
        for index, name in _SEGMENT.findall(path):
            loc.append(int(index) if index else name)
        return json_path(_back(tuple(loc), self.kept))

    def explained(self, problem: Problem, shape: list[Problem]) -> bool:
        """True when ``problem`` follows from a shape problem already reported."""
        if any(_within(problem.path, p.path) for p in shape):
            return True
        if any(_within(problem.path, json_path(cut)) for cut in self.cuts):
            return True
        value = str(problem.params.get("value", ""))
        return problem.key.startswith(_REFERENCES) and value in self.dropped_names


def salvage(raw: Any, errors: list[dict]) -> Salvaged | None:
    """The document without its bad parts, or None when nothing sensible is left.

    ``errors`` are pydantic's errors of ``raw`` (``ValidationError.errors()``).
    """
    drop_fields: set[Loc] = set()
    cuts: set[Loc] = set()
    for _ in range(ROUNDS):
        for err in errors:
            loc = tuple(err["loc"])
            leaf = bool(loc) and isinstance(loc[-1], str) and err["type"] != "missing"
            if leaf and loc not in drop_fields:
                drop_fields.add(loc)
                continue
            cut = _element(loc)
            if cut is None:
                return None
            cuts.add(cut)
        pruned, kept = _prune(raw, drop_fields, cuts)
        try:
            doc = Document.model_validate(pruned)
        except ValidationError as again:
            errors = [
                {**e, "loc": _back(tuple(e["loc"]), kept)} for e in again.errors(include_url=False)
            ]
            continue
        return Salvaged(doc, cuts, _names(raw, cuts), kept)
    return None


def _within(path: str, outer: str) -> bool:
    return path == outer or path.startswith((outer + ".", outer + "["))


def _element(loc: Loc) -> Loc | None:
    """The innermost list element holding ``loc`` (``accounts[0].contacts[2]``)."""
    for i in range(len(loc) - 1, 0, -1):
        if isinstance(loc[i], int):
            return loc[: i + 1]
    return None


def _prune(raw: Any, drop_fields: set[Loc], cuts: set[Loc]) -> tuple[Any, dict[Loc, list[int]]]:
    """``raw`` without the fields and list elements named (original locs); and, per list
    of the result (its loc there), the original index of each element kept."""
    kept: dict[Loc, list[int]] = {}

    def walk(node: Any, loc: Loc, pruned: Loc) -> Any:
        if isinstance(node, dict):
            return {
                k: walk(v, (*loc, k), (*pruned, k))
                for k, v in node.items()
                if (*loc, k) not in drop_fields
            }
        if isinstance(node, list):
            indices = [i for i in range(len(node)) if (*loc, i) not in cuts]
            kept[pruned] = indices
            return [walk(node[i], (*loc, i), (*pruned, n)) for n, i in enumerate(indices)]
        return node

    return walk(raw, (), ()), kept


def _back(loc: Loc, kept: dict[Loc, list[int]]) -> Loc:
    """A loc of the pruned document as a loc of the original."""
    out: list[int | str] = []
    for n, part in enumerate(loc):
        indices = kept.get(loc[:n], [])
        out.append(indices[part] if isinstance(part, int) and part < len(indices) else part)
    return tuple(out)


def _names(raw: Any, cuts: set[Loc]) -> set[str]:
    """The contact keys and account numbers of the elements left out."""
    names = set()
    for cut in cuts:
        node = raw
        for part in cut:
            node = node[part]
        if isinstance(node, dict):
            for name in ("key", "number"):
                if isinstance(node.get(name), str):
                    names.add(node[name])
    return names


def parse_all(raw: Any) -> tuple[Document | None, list[Problem], Salvaged | None]:
    """The document (salvaged if need be), its shape problems, and the salvage if any."""
    try:
        return Document.model_validate(raw), [], None
    except ValidationError as exc:
        shape = shape_problems(exc)
        salvaged = salvage(raw, exc.errors(include_url=False))
        return (salvaged.doc if salvaged else None), shape, salvaged


def with_checks(shape: list[Problem], found: list[Problem], salvaged: Salvaged | None) -> list:
    """The shape problems, then the checks' problems that they do not already explain."""
    if salvaged is None:
        return shape + found
    relocated = [p.model_copy(update={"path": salvaged.original(p.path)}) for p in found]
    return shape + [p for p in relocated if not salvaged.explained(p, shape)]
