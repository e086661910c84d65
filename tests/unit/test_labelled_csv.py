"""The labelled CSV writer: one column per label in first-seen order, every row padded to
the header's width, whatever chunk a label first appears in and whatever a value holds."""

from __future__ import annotations

import csv

from bot.documents.csv import write_labelled_csv


async def chunks(*groups):
    for group in groups:
        yield iter(group)


async def test_labels_in_first_seen_order_and_every_row_full_width(tmp_path):
    path = tmp_path / "out.csv"
    first = [(["1"], [["Nom", "Jean"]]), (["2"], [["Tel", "514"], ["Nom", "Luc"]])]
    later = [(["3"], [["Nom", "Éva"]]), (["4"], [["Note", 'dit "urgent"\nrappeler; vite']])]
    rest = [([str(n)], [["Nom", "x"]]) for n in range(5, 2005)]  # copied as is
    count = await write_labelled_csv(path, ["id"], chunks(first, later, rest))
    assert count == 2004
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,Nom,Tel,Note\r\n")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    assert rows[:5] == [
        ["id", "Nom", "Tel", "Note"],
        ["1", "Jean", "", ""],
        ["2", "Luc", "514", ""],
        ["3", "Éva", "", ""],
        ["4", "", "", 'dit "urgent"\nrappeler; vite'],
    ]
    assert rows[-1] == ["2004", "x", "", ""] and len(rows) == 2005
    assert {len(r) for r in rows} == {4}
    assert not path.with_suffix(".part").exists()


async def test_no_rows_is_the_header_alone(tmp_path):
    path = tmp_path / "empty.csv"
    assert await write_labelled_csv(path, ["id", "taken"], chunks()) == 0
    assert path.read_bytes() == b"\xef\xbb\xbfid,taken\r\n"
