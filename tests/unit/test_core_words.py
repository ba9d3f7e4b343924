"""The core layers return data and the present layer words it (issue #25): checks.py and
scoring.py hold no Chinese sentence. A sentence is a string literal (docstrings aside) with a
CJK ideograph and either sentence punctuation (。，；！？), more than 12 ideographs, or, for an
f-string, ideographs around the values it fills in (words composed in code). Names stay: a
column, a form's row label (其中：当年财政拨款), a marker (预算数缺失), a grade."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "selfeval"
CORE = [PACKAGE / "checks.py", PACKAGE / "scoring.py", PACKAGE / "scoring_rules.py"]
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
PUNCTUATION = set("。，；！？")
MAX_NAME = 12


def is_sentence(text: str, composed: bool) -> bool:
    ideographs = IDEOGRAPH.findall(text)
    if not ideographs:
        return False
    return composed or bool(PUNCTUATION & set(text)) or len(ideographs) > MAX_NAME


def sentences(source: str) -> list[tuple[int, str]]:
    """(line, text) of every literal of `source` that is a sentence by the rule above."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))  # a docstring says why, in English or not
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            composed = "{}" in text
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            text, composed = node.value, False
        else:
            continue
        if is_sentence(text, composed):
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_compose_no_chinese_sentence(path: Path) -> None:
    found = sentences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: sentences belong in present/wording/*.toml: {found}"


@pytest.mark.parametrize(
    "source",
    [
        'x = "活动表中没有可核对的数据。"',
        'x = f"指标「{name}」的实际完成值未填报"',
        'x = "本年度支出表所填上年执行数与上一年度清洗数据的执行数"',
        'x = f"{a}；改进措施：{b}"',
    ],
)
def test_the_rule_catches_a_sentence(source: str) -> None:
    assert sentences(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""模块说明：一句话。"""',
        'x = "其中：当年财政拨款"',
        'x = "偏差原因分析及改进措施"',
        'x = f"{a}·{b}"',
        'x = "、".join(names)',
    ],
)
def test_the_rule_leaves_names_alone(source: str) -> None:
    assert not sentences(source)
