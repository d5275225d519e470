"""scripts/attack.py, the hostile-user harness, in small: a few bad inputs, 3 uploaders × 2 merges, 3 kills."""

from __future__ import annotations

from pathlib import Path

from scripts import attack

HANDFUL = ("CSV renamed", "XXE DOCTYPE", "填报日期 0206-11-30", "REPLACE (full workbook)", "'=1+1'", "<script>",
           "填报人 spoofed")


def test_a_handful_of_bad_inputs_are_refused_or_stored_as_text(tmp_path: Path):
    outcomes = attack.run_bad_inputs(tmp_path, attack.Sizes(rows=3000, columns=20_000), only=HANDFUL)
    assert len(outcomes) == len(HANDFUL)
    summary = {o.case: (o.outcome, o.codes, o.check) for o in outcomes}
    assert not [o for o in outcomes if o.outcome not in ("accepted", "refused")], summary  # 0 crashed
    assert not [o for o in outcomes if o.broken or o.lost or o.check], summary  # 0 broken, 0 lost, text is text
    assert summary["CSV renamed .xlsx"][:2] == ("refused", ["not-xlsx"])
    assert summary["XXE DOCTYPE"][:2] == ("refused", ["xml-entities"])
    assert summary["REPLACE (full workbook) by a reporter"][:2] == ("refused", ["admin-only"])
    assert summary["进展情况 '=1+1'"][0] == summary["填报人 spoofed as 管理员"][0] == "accepted"


def test_a_far_cell_in_a_sheet_outside_xl_worksheets_is_refused_without_a_crash(tmp_path: Path):
    [outcome] = attack.run_bad_inputs(tmp_path, attack.Sizes(rows=3000, columns=20_000),
                                      only=("far cell in a sheet outside",))
    assert outcome.outcome == "refused", outcome.detail


def test_three_parallel_uploaders_lose_no_rows(tmp_path: Path):
    result = attack.run_parallel(tmp_path, processes=3, merges=2, timeout=180)
    # 3 saved rows + workers 0 and 2 (甲处: 2 rows per merge) × 2 merges + worker 1 (乙处: 1 row) × 2 = 3 + 8 + 2
    assert (result.saved, result.rows_expected, result.rows_present, result.lost) == (6, 13, 13, 0), result.messages
    assert result.audit_lines == 6 and result.history_files == 7  # every save logged; each version kept once


def test_three_killed_saves_leave_the_old_or_the_new_workbook(tmp_path: Path):
    kills = attack.run_kills(tmp_path, kills=3, seed=7)  # killed after the start, in the save, paused before rename
    assert [run.mode for run in kills.runs] == ["start", "save", "paused"]
    assert kills.survived == 3, kills.runs
    assert attack.report_kills(kills)[0].startswith("kills survived 3 / 3")


def test_a_kill_while_the_current_version_is_copied_into_history_loses_no_version(tmp_path: Path):
    kills = attack.run_kills(tmp_path, kills=0)  # only the targeted kill, then the next save
    assert kills.targeted is not None and kills.targeted.which == "old"
    assert kills.targeted_copy.endswith("intact"), kills.targeted_copy
