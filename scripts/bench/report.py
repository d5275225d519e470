"""The benchmark's figures: the table, the targets, the growth curve, the machine, results.json and the README."""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = ("streamlit", "pandas", "numpy", "pyarrow", "openpyxl", "python-calamine", "plotly", "playwright")
IN_PROCESS_STEPS = (  # (key in results, label, baseline key)
    ("load", "load+validate", "read_excel_calamine"),
    ("metrics", "metrics", "read_excel_calamine"),
    ("trend", "trend", "read_excel_calamine"),
    ("preview", "preview (500 rows)", "read_excel_calamine"),
    ("save", "save", "read_excel_calamine"),
    ("read_excel_calamine", "read_excel calamine", None),
    ("read_excel_openpyxl", "read_excel openpyxl", "read_excel_calamine"),
)
BROWSER_STEPS = ("总览 cold", "总览 warm", "总览 change D", "总览 filter", "板块 warm", "处室 warm", "任务 warm", "季度汇报",
                 "全部方案 cold", "全部方案 warm", "切换方案 (first view)", "切换方案 (back)")
README_START, README_END = "<!-- latest run: written by scripts/bench -->", "<!-- end of latest run -->"
GROWTH_SLACK = 1.15  # an exponent up to 1.15 between two sizes still counts as linear: these machines are noisy


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def machine() -> dict:
    """What the numbers were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = ""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ""
    return {"nproc": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 1024 ** 3, 1), "cpu": model,
            "python": platform.python_version(), "os": platform.platform(), "chromium": chromium, "packages": versions}


# ---- rows of the table ---------------------------------------------------------------------


def rows(sizes: dict) -> list[dict]:
    """One row per size and step: median, min and max seconds, the ratio of medians to its baseline, memory."""
    out = []
    for size, found in sizes.items():
        runs = found.get("inprocess", [])
        for key, label, baseline in IN_PROCESS_STEPS:
            if not runs or key not in runs[0]:
                continue
            row = {"size": size, "step": label, **spread([r[key]["seconds"] for r in runs]),
                   "peak_rss_mb": max(r[key]["peak_rss_mb"] for r in runs)}
            if baseline and baseline in runs[0]:
                row["baseline"] = baseline.replace("_excel_", "_excel ")
                row["ratio"] = row["median"] / statistics.median(r[baseline]["seconds"] for r in runs)
            out.append(row)
        rounds = found.get("browser", [])
        bare = found.get("bare", [])
        if bare:
            out.append({"size": size, "step": "bare page (baseline)", **spread(bare)})
        for step in BROWSER_STEPS:
            values = [r["seconds"][step] for r in rounds if step in r["seconds"]]
            if not values:
                continue
            row = {"size": size, "step": step, **spread(values)}
            if bare:
                row["baseline"] = "bare page"
                row["ratio"] = row["median"] / statistics.median(bare)
            out.append(row)
        if rounds:
            row = {"size": size, "step": "server RSS, peak", "unit": "MB",
                   **spread([r["server_peak_rss_mb"] for r in rounds])}
            bare_rss = found.get("bare_rss_mb", [])
            if bare_rss:
                row["baseline"] = "bare server RSS"
                row["ratio"] = row["median"] / statistics.median(bare_rss)
            out.append(row)
    return out


def growth(sizes: dict, growth_sizes: tuple[str, ...]) -> list[dict]:
    """Load time per number of reports on the large shape, with the exponent from the previous point
    (1 is linear: twice the reports, twice the time)."""
    points = []
    for size in growth_sizes:
        runs = sizes.get(size, {}).get("inprocess", [])
        if runs:
            reports = runs[0]["shape"]["reports"]
            seconds = statistics.median(r["load"]["seconds"] for r in runs)
            points.append({"size": size, "reports": reports, "load_s": seconds,
                           "ms_per_1k_reports": seconds * 1000 / (reports / 1000)})
    points.sort(key=lambda p: p["reports"])
    for before, after in zip(points, points[1:]):
        after["exponent"] = math.log(after["load_s"] / before["load_s"]) / math.log(after["reports"] / before["reports"])
    return points


# ---- targets -------------------------------------------------------------------------------


def _find(table: list[dict], size: str, step: str) -> dict | None:
    return next((r for r in table if r["size"] == size and r["step"] == step), None)


def targets(table: list[dict], curve: list[dict], size: str, plans_size: str = "plans") -> list[dict]:
    """The issues' targets, checked on ``size`` (the large workbook in a full run) and on ``plans_size``
    (20 plans) with medians."""
    checks: list[dict] = []

    def check(name: str, step: str, limit: float, field: str = "median", unit: str = "s", on: str = size) -> None:
        row = _find(table, on, step)
        if row is None or field not in row:
            return
        value = row[field]
        checks.append({"target": name, "size": on, "value": value, "limit": limit, "unit": unit,
                       "pass": value <= limit})

    check("load+validate ≤ 1.5× read_excel(calamine)", "load+validate", 1.5, "ratio", "×")
    check("preview of a 500-row upload ≤ 3 s", "preview (500 rows)", 3.0)
    check("save ≤ 5 s", "save", 5.0)
    check("总览 warm ≤ 3 s", "总览 warm", 3.0)
    check("总览 warm ≤ 3× bare page", "总览 warm", 3.0, "ratio", "×")
    check("总览 after a change of D ≤ 1.5 s", "总览 change D", 1.5)
    check("总览 after a filter change ≤ 1.5 s", "总览 filter", 1.5)
    for page in ("板块", "处室", "任务"):
        check(f"{page} warm ≤ 2 s", f"{page} warm", 2.0)
    check("server peak RSS after every page ≤ 500 MB", "server RSS, peak", 500.0, "max", "MB")
    check("全部方案 warm ≤ 2 s", "全部方案 warm", 2.0, on=plans_size)
    check("switching plans ≤ 1.5 s (to a plan not shown before)", "切换方案 (first view)", 1.5, on=plans_size)
    check("switching plans ≤ 1.5 s (back)", "切换方案 (back)", 1.5, on=plans_size)
    if len(curve) >= 2:
        worst = max(p["exponent"] for p in curve[1:])
        checks.append({"target": f"growth {curve[0]['size']} → {curve[-1]['size']} reports linear or better "
                                 f"(worst exponent ≤ {GROWTH_SLACK})",
                       "size": "growth", "value": worst, "limit": GROWTH_SLACK, "unit": "", "pass": worst <= GROWTH_SLACK})
    return checks


# ---- text ----------------------------------------------------------------------------------


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns: a CJK character takes two."""
    return text + " " * max(width - sum(2 if ord(c) > 0x2E80 else 1 for c in text), 1)


def _number(value: float, unit: str = "s") -> str:
    if unit == "MB":
        return f"{value:.0f}"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def table_text(table: list[dict]) -> str:
    """The table as fixed-width text: seconds unless the step says MB; ratio = median ÷ baseline's median."""
    lines = [f"{'size':<8} {'step':<22} {'median':>9} {'min':>9} {'max':>9}  {'ratio':>7}  {'÷ baseline':<20} {'peak RSS MB':>11}"]
    for row in table:
        unit = row.get("unit", "s")
        step = row["step"] + (" (MB)" if unit == "MB" else "")
        ratio = f"{row['ratio']:.2f}×" if "ratio" in row else ""
        rss = f"{row['peak_rss_mb']:.0f}" if "peak_rss_mb" in row else ""
        lines.append(f"{row['size']:<8} {_pad(step, 22)} {_number(row['median'], unit):>9} "
                     f"{_number(row['min'], unit):>9} {_number(row['max'], unit):>9}  {ratio:>7}  "
                     f"{row.get('baseline', ''):<20} {rss:>11}")
    return "\n".join(lines)


def growth_text(curve: list[dict]) -> str:
    lines = [f"{'size':<8} {'reports':>8} {'load s':>8} {'ms / 1k reports':>16} {'exponent':>9}"]
    for point in curve:
        exponent = f"{point['exponent']:.2f}" if "exponent" in point else ""
        lines.append(f"{point['size']:<8} {point['reports']:>8} {point['load_s']:>8.2f} "
                     f"{point['ms_per_1k_reports']:>16.1f} {exponent:>9}")
    return "\n".join(lines)


def targets_text(checks: list[dict]) -> str:
    lines = []
    for check in checks:
        value = f"{check['value']:.2f}{check['unit'] if check['unit'] in ('×',) else ' ' + check['unit']}".rstrip()
        lines.append(f"{'PASS' if check['pass'] else 'FAIL'}  {_pad(check['target'], 60)} {value}  ({check['size']})")
    return "\n".join(lines)


def machine_text(found: dict, load: dict) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in found["packages"].items() if version)
    return (f"{found['nproc']} cores, {found['ram_gb']} GB RAM, {found['cpu'] or 'CPU model unknown'}; "
            f"Python {found['python']}; {found['chromium']}\n{packages}\n"
            f"load average during the run (1 min): min {load['min']:.1f}, median {load['median']:.1f}, "
            f"max {load['max']:.1f} (sampled every 5 s)")


def update_readme(readme: Path, text: str) -> None:
    """Replace the latest-run section of ``readme`` (between the markers) with ``text``."""
    content = readme.read_text(encoding="utf-8")
    start, end = content.index(README_START) + len(README_START), content.index(README_END)
    readme.write_text(content[:start] + "\n" + text.strip() + "\n" + content[end:], encoding="utf-8")
