"""The shape of the code, checked: short functions, problems matched on codes, Streamlit only in lib/ui."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*ROOT.glob("lib/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
LONGEST_FUNCTION = 60  # lines

CJK = "\u4e00-\u9fff"
# Code that decides something by reading Chinese message text: "…中文…" in x.message, x.message == "…",
# x.message.startswith(…), or a regex with Chinese in it run over a message.
MESSAGE_MATCHING = re.compile(
    rf"""["'][^"'\n]*[{CJK}][^"'\n]*["']\s+(?:not\s+)?in\s+[\w.]*(?:message|sheet)\b"""
    rf"""|\.message\s*(?:==|!=)|\.message\.(?:startswith|endswith|find|index)\("""
    rf"""|re\.\w+\(r?["'][^"'\n]*[{CJK}][^"'\n]*["'],[^)\n]*message"""
)


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONGEST_FUNCTION:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "split into named steps:\n" + "\n".join(long)


def test_problems_are_matched_on_codes_never_on_message_text():
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in SOURCES for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if MESSAGE_MATCHING.search(line)]
    assert not found, "match on Problem.code (or origin) instead:\n" + "\n".join(found)


def test_the_pattern_finds_what_it_is_for():
    assert MESSAGE_MATCHING.search('if "已保存" in p.sheet:')
    assert MESSAGE_MATCHING.search('any("不能修改" in problem.message for problem in x)')
    assert MESSAGE_MATCHING.search('re.sub(r"第(\\d+)行", f, problem.message)')
    assert not MESSAGE_MATCHING.search('problem.message + "（由本次上传的改动引起）"')


def test_only_lib_ui_imports_streamlit_in_lib():
    importers = [str(path.relative_to(ROOT)) for path in ROOT.glob("lib/**/*.py")
                 if re.search(r"^\s*(?:import|from) streamlit\b", path.read_text(encoding="utf-8"), re.M)
                 and "lib/ui/" not in path.as_posix()]
    assert not importers, importers
