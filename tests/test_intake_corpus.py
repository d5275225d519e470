"""The importer scored on real notices: tests/fixtures/notices/corpus.

Each ``<name>.json`` there was written by hand from the notice (never from the importer's output):
its source address, family (layout), sections, and per task the number, the first 8 characters of
the text after the number, the units in order, the lead units (``[]`` when the notice names none)
and the deadline. ``files`` lists the notice as text and as the Word/PDF rebuilds made by
``build_documents.py``; each file is scored on its own.

A task is fully right when its number, first 8 characters, unit set, lead units and section all
match. The test prints the score per file and per family and fails below 95% pooled; the deadline
is scored apart and printed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from lib.intake import import_notice
from lib.schema import split_unit_list

CORPUS = Path(__file__).parent / "fixtures" / "notices" / "corpus"
PASS_SHARE = 0.95
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _norm(text: str) -> str:
    """Compared text: full width folded, spaces dropped (a PDF or Word copy may differ only in those)."""
    return "".join(str(text).translate(_FOLD).split())


def _units(text: str) -> list[str]:
    return [_norm(name) for name in split_unit_list(str(text))]


@dataclass
class Score:
    tasks: int = 0
    right: int = 0
    deadlines: int = 0
    deadlines_right: int = 0

    def add(self, other: Score) -> None:
        self.tasks += other.tasks
        self.right += other.right
        self.deadlines += other.deadlines
        self.deadlines_right += other.deadlines_right

    def share(self) -> float:
        return self.right / self.tasks if self.tasks else 1.0

    def line(self) -> str:
        deadline = f"{self.deadlines_right}/{self.deadlines}"
        return f"{self.right:>3}/{self.tasks:<3} {self.share():6.1%}  时限 {deadline}"


def _expected_tasks(spec: dict) -> list[dict]:
    sections = spec["sections"]
    return [{**task, "section": sections[task.get("section", 0)]} for task in spec["tasks"]]


def score_file(spec: dict, path: Path) -> tuple[Score, list[str]]:
    """(score, one line per wrong task) of one file against its notice's hand-written expectation."""
    imported = import_notice(path.read_bytes(), path.name)
    got = {str(row.task_id): row for row in imported.tasks.itertuples()}
    score, misses = Score(), []
    for task in _expected_tasks(spec):
        score.tasks += 1
        score.deadlines += 1
        row = got.get(task["number"])
        if row is None:
            misses.append(f"  {task['number']}: missing (got {list(got)[:12]})")
            continue
        checks = {
            "text": _norm(row.content)[:8] == _norm(task["text"])[:8],
            "units": set(_units(row.units_text)) == {_norm(u) for u in task["units"]},
            "leads": set(_units(row.lead_text)) == {_norm(u) for u in task["leads"]},
            "section": _norm(row.section) == _norm(task["section"]),
        }
        if all(checks.values()):
            score.right += 1
        else:
            wrong = [name for name, ok in checks.items() if not ok]
            misses.append(f"  {task['number']}: {wrong} got units={row.units_text!r} leads={row.lead_text!r} "
                          f"section={row.section!r} text={row.content[:12]!r}")
        if _norm(row.deadline_text) == _norm(task["deadline"]):
            score.deadlines_right += 1
    extra = set(got) - {task["number"] for task in spec["tasks"]}
    if extra:
        misses.append(f"  extra tasks: {sorted(extra)}")
    return score, misses


def _corpus() -> list[tuple[dict, Path]]:
    found = []
    for spec_path in sorted(CORPUS.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        found.extend((spec, (CORPUS / name).resolve()) for name in spec["files"] if (CORPUS / name).exists())
    return found


def test_every_expectation_names_its_source_and_existing_files():
    for spec_path in sorted(CORPUS.glob("*.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        assert spec["source"] and spec["family"] and spec["tasks"], spec_path.name
        missing = [name for name in spec["files"] if not (CORPUS / name).exists()]
        assert not missing or all(name.endswith(".pdf") for name in missing), (spec_path.name, missing)


def test_corpus_score(capsys: pytest.CaptureFixture[str]):
    total = Score()
    by_family: dict[str, Score] = defaultdict(Score)
    report = []
    for spec, path in _corpus():
        score, misses = score_file(spec, path)
        total.add(score)
        by_family[spec["family"]].add(score)
        by_family[f"format:{path.suffix}"].add(score)
        report.append(f"{path.name:<48} {score.line()}")
        report.extend(misses)
    report.append("— per family —")
    report.extend(f"{family:<48} {score.line()}" for family, score in sorted(by_family.items()))
    report.append(f"{'TOTAL':<48} {total.line()}")
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert total.share() >= PASS_SHARE, "\n".join(report)


def test_the_corpus_covers_every_layout_family_and_level():
    specs = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]
    assert len(specs) >= 25
    assert len({spec["issuer"] for spec in specs}) == len(specs)
    levels = {spec["level"].split("-")[0] for spec in specs}
    assert {"province", "city", "county", "district"} <= levels
    families = {spec["family"] for spec in specs}
    assert {"label-lines", "label-lines-people", "trailing-parenthesis", "trailing-parenthesis-rule-note",
            "table", "table-flattened"} <= families
    files = [name for spec in specs for name in spec["files"]]
    assert sum(name.endswith(".docx") for name in files) >= 6 and sum(name.endswith(".pdf") for name in files) >= 2
