"""A revised notice applied to the current workbook, keeping its reports.

A revised 分工方案 often renumbers its tasks, so reports cannot follow by 编号. ``propose_mapping``
matches old and new tasks by their text (``difflib``) into a proposal the admin corrects;
``carry_reports`` then moves each report to its task's new 编号 (and a renamed unit's new name),
and lists, with the reason, every report whose task or unit has no place in the new plan. Those are
never dropped silently: the page lists them, and the saved version before the change keeps them.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

import pandas as pd

from lib import schema, validate

# Below this share of matching text two tasks are different tasks, however few there are.
MIN_SIMILARITY = 0.5
MAPPING_COLUMNS = ["old_id", "old_content", "new_id", "similarity"]
REASON = "说明"


def _comparable(text: object) -> str:
    """Task text as compared: full-width folded, spaces removed (a revision often only re-wraps lines)."""
    return "".join(unicodedata.normalize("NFKC", validate.cell_text(text)).split())


def similarity(old: str, new: str) -> float:
    """How much of two task texts match, 0–1 (``difflib`` ratio of the comparable texts)."""
    return difflib.SequenceMatcher(None, _comparable(old), _comparable(new), autojunk=False).ratio()


def _scored_pairs(old_tasks: pd.DataFrame, new_tasks: pd.DataFrame) -> list[tuple[float, bool, int, int]]:
    """(score, same 编号, old position, new position) of every pair similar enough to be the same task.

    A revision keeps most tasks word for word: those pairs are found by lookup, and only the rest are
    compared with each other (a full comparison of 200 × 200 tasks takes seconds).
    """
    old_texts = [_comparable(t) for t in old_tasks["content"]]
    new_texts = [_comparable(t) for t in new_tasks["content"]]
    old_ids = [validate.normalise_id(t) for t in old_tasks["task_id"]]
    new_ids = [validate.normalise_id(t) for t in new_tasks["task_id"]]
    positions: dict[str, list[int]] = {}
    for j, text in enumerate(new_texts):
        positions.setdefault(text, []).append(j)
    pairs = [(1.0, old_ids[i] == new_ids[j], i, j) for i, text in enumerate(old_texts) for j in positions.get(text, [])]
    exact_old, exact_new = {i for _, _, i, _ in pairs}, {j for _, _, _, j in pairs}
    for i, old_text in enumerate(old_texts):
        if i in exact_old:
            continue
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(old_text)  # difflib caches facts about seq2: the text compared many times
        for j, new_text in enumerate(new_texts):
            if j in exact_new:
                continue
            matcher.set_seq1(new_text)
            if matcher.real_quick_ratio() < MIN_SIMILARITY or matcher.quick_ratio() < MIN_SIMILARITY:
                continue
            score = matcher.ratio()
            if score >= MIN_SIMILARITY:
                pairs.append((score, old_ids[i] == new_ids[j], i, j))
    return pairs


def propose_mapping(old_tasks: pd.DataFrame, new_tasks: pd.DataFrame) -> pd.DataFrame:
    """One row per old task: old_id, old_content, new_id (None: no counterpart), similarity (percent 0–100).

    The most similar pairs are matched first, each task at most once; on equal text the same 编号 wins.
    """
    chosen: dict[int, tuple[int, float]] = {}
    taken: set[int] = set()
    for score, _, i, j in sorted(_scored_pairs(old_tasks, new_tasks), key=lambda p: (-p[0], not p[1], p[2], p[3])):
        if i not in chosen and j not in taken:
            chosen[i] = (j, score)
            taken.add(j)
    new_ids = [validate.normalise_id(t) for t in new_tasks["task_id"]]
    rows = []
    for i, (old_id, content) in enumerate(zip(old_tasks["task_id"], old_tasks["content"], strict=True)):
        match = chosen.get(i)
        rows.append({"old_id": validate.normalise_id(old_id), "old_content": validate.cell_text(content),
                     "new_id": new_ids[match[0]] if match else None,
                     "similarity": round(match[1] * 100, 1) if match else 0.0})
    proposal = pd.DataFrame(rows, columns=MAPPING_COLUMNS).astype({"new_id": object})
    return proposal.assign(new_id=proposal["new_id"].where(proposal["new_id"].notna(), None))


@dataclass
class CarriedReports:
    """The current reports in the new plan: ``kept`` (contract fields, with new 编号 and unit names),
    ``moved`` (how many of them changed 编号 or unit), ``orphaned`` (old values, plus 说明: why not kept)."""

    kept: pd.DataFrame
    moved: int
    orphaned: pd.DataFrame


def _assignments(tasks: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """task_id, unit: who answers for each new task, groups expanded as validation expands them."""
    directory = validate.UnitDirectory.of(units)
    pairs = [(validate.normalise_id(task_id), unit)
             for task_id, listed in zip(tasks["task_id"], tasks["units_text"])
             for unit in directory.expand(schema.split_unit_list(validate.cell_text(listed)))]
    return pd.DataFrame(pairs, columns=["task_id", "unit"]).drop_duplicates()


def carry_reports(updates: pd.DataFrame, mapping: dict[str, str | None], tasks: pd.DataFrame, units: pd.DataFrame,
                  renames: dict[str, str] | None = None) -> CarriedReports:
    """The reports of ``updates`` (a Book's) moved onto the new plan's ``tasks`` and ``units``.

    ``mapping`` is old 编号 → new 编号 (None or missing: the task has no counterpart); ``renames``
    is old unit name → new. A report is kept when its task has a counterpart and its unit answers for it.
    """
    fields = [c.field for c in schema.UPDATE_COLUMNS]
    reports = updates.reset_index(drop=True)
    old_ids = reports["task_id"].map(validate.normalise_id)
    moved_to = reports.assign(task_id=old_ids.map(lambda old: mapping.get(old) or None),
                              unit=reports["unit"].replace(renames or {}))
    found = moved_to.merge(_assignments(tasks, units).assign(_answers=True), on=["task_id", "unit"], how="left")
    answers = found["_answers"].eq(True).to_numpy()
    unmatched = moved_to["task_id"].isna().to_numpy()
    reasons = pd.Series("", index=reports.index, dtype=object)
    reasons[unmatched] = [f"原任务「{old}」在新方案中没有对应任务" for old in old_ids[unmatched]]
    wrong_unit = ~answers & ~unmatched
    reasons[wrong_unit] = [f"「{unit}」不是新方案任务「{new}」的责任处室"
                           for unit, new in zip(moved_to["unit"][wrong_unit], moved_to["task_id"][wrong_unit])]
    kept = moved_to[answers]
    changed = (kept["task_id"] != old_ids[answers]) | (kept["unit"] != reports["unit"][answers])
    orphaned = reports[~answers][fields].assign(**{REASON: reasons[~answers]})
    return CarriedReports(kept[fields].reset_index(drop=True), int(changed.sum()), orphaned.reset_index(drop=True))
