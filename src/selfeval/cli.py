"""Command-line interface: every command that prints, over the functions the notebooks use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from selfeval.errors import InputError, UserFacingError
from selfeval.rules import YEAR_EXPECTED, year_problem
from selfeval.run.fastimport import defer_iri_grammar


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval", description="部门整体支出绩效自评报告生成 / self-evaluation reports"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="生成各年度报告 / build yearly reports")
    build.add_argument("--years", nargs="*", help="只生成这些年度 / only these years")
    build.add_argument(
        "--units", nargs="*", help="只生成这些单位（data/raw/<单位>/）/ only these units"
    )
    build.add_argument("--jobs", type=int, default=None, help="并行进程数，默认为 CPU 核数")
    build.add_argument("--force", action="store_true", help="忽略缓存，全部重建 / rebuild all")
    build.add_argument(
        "--scheduler",
        default=None,
        help="Dask 调度器地址，如 tcp://host:8786：在集群上生成 / build on a dask cluster",
    )

    clean = sub.add_parser("clean", help="只清洗校验一个年度 / clean and validate one year")
    clean.add_argument("--year", type=_year_argument, required=True)

    template = sub.add_parser("template", help="生成填报模板 / write an input workbook")
    template.add_argument(
        "--year",
        type=_year_argument,
        default=None,
        help="报告年度，默认为 data/raw/ 中最近一年的下一年 / default: the year after the latest",
    )
    template.add_argument(
        "--unit",
        default=None,
        help="多单位项目中的单位目录（data/raw/<单位>/）/ the unit folder in a project of units",
    )

    preview = sub.add_parser(
        "preview", help="预览一个年度的报告，保存数据后自动刷新 / live preview of one year"
    )
    preview.add_argument(
        "--year",
        type=_year_argument,
        default=None,
        help="报告年度，默认为 data/raw/ 中最近一年 / default: the latest year",
    )
    preview.add_argument(
        "--unit",
        default=None,
        help="多单位项目中的单位目录（data/raw/<单位>/）/ the unit folder in a project of units",
    )
    preview.add_argument(
        "--port",
        type=_port_argument,
        default=8000,
        help="端口，默认 8000（0 = 任一空闲端口）/ port",
    )

    sub.add_parser("pdf", help="把各年度 report.docx 转换为 PDF / convert each report.docx to PDF")
    return parser


def _year_argument(text: str) -> int:
    """A year as its folder is named (`rules.year_problem`: 0000 is not the year 0)."""
    problem = year_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{problem}，{YEAR_EXPECTED}")
    return int(text)


def _port_argument(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    if not text.strip().isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"端口「{text}」无效：应为 0–65535 的整数 / not a port")
    return int(text)


def clean_cli(year: int) -> int:
    """``python -m selfeval clean --year N``: clean data/raw/N into data/processed/N atomically."""
    # here, as every command's imports: `--help` and the other commands skip the cleaner (~0.7 s)
    from selfeval import config, store
    from selfeval.clean import clean_year
    from selfeval.run.batch import raw_problem
    from selfeval.run.plan import Key

    raw_dir = config.raw_root() / str(year)
    out_dir = config.processed_root() / str(year)

    blocked = store.folder_problems(config.Roots.of())
    if blocked:
        print("\n".join(blocked), file=sys.stderr)
        return 1
    refused = raw_problem(config.Roots.of(), Key("", year))
    if refused and raw_dir.is_symlink():  # the batch's rule: a symlinked year folder is refused
        print(refused, file=sys.stderr)
        return 1
    try:
        result = clean_year(raw_dir, year)
    except InputError as exc:
        print(exc.report(), file=sys.stderr)
        print(f"未写入 {out_dir}（原有内容保持不变）/ nothing written", file=sys.stderr)
        return 1
    write_path = store.write_processed(result, out_dir)  # FolderRefused: said by main()
    checks = result.checks
    print(f"{year} 年度数据清洗完成 / cleaned: {write_path}")
    for name, frame in result.tables.items():
        print(f"  {name}: {len(frame)} 行")
    print(
        f"  规范化 {len(checks['normalised'])} 类，核对 {len(checks['reconciled'])} 项，"
        f"提示 {len(checks['warnings'])} 条"
    )
    for warning in checks["warnings"]:
        print(f"  提示：{warning['message']}")
    return 0


def template_cli(year: int | None = None, unit: str | None = None) -> int:
    """``python -m selfeval template [--year N] [--unit U]``: write the input workbook into
    data/raw/N/ (data/raw/U/N/ for a unit of a project of several units).

    Without a year, the year after the latest one is meant (the usual case: next year's
    workbook, pre-filled from this year's); with no year there at all, say what to pass. A
    project of several units needs the unit: it is where the year goes and what is pre-filled.
    """
    # here, as every command's imports: the template writer (openpyxl, ~0.6 s) is this command's
    from selfeval import config, template
    from selfeval.run.batch import discover, unit_folder_refusal
    from selfeval.store import folder_problems

    raw_root = config.raw_root()
    blocked = folder_problems(config.Roots.of(), ("raw",))
    if blocked:
        print("\n".join(blocked), file=sys.stderr)
        return 1
    keys, _ignored = discover(raw_root)
    units = sorted({k.unit for k in keys if k.unit})
    if unit:
        refused = unit_folder_refusal(raw_root, unit)
        if refused:
            print(f"未生成模板：{refused}", file=sys.stderr)
            return 2
    elif units and all(k.unit for k in keys):
        print(
            f"data/raw/ 下有多个单位（{'、'.join(units)}），请指定为哪个单位生成模板，例如："
            f"make template UNIT={units[0]}（可加 YEAR=2025）/ several units: pass UNIT=…",
            file=sys.stderr,
        )
        return 2
    base = raw_root / unit if unit else raw_root
    where = f"data/raw/{unit}/" if unit else "data/raw/"
    if year is None:
        years = template.raw_years(base)
        if not years:
            print(
                f"{where} 下还没有任何年度，请指定要生成的年度，例如：make template"
                f"{f' UNIT={unit}' if unit else ''} YEAR=2025 / no year yet: pass YEAR=…",
                file=sys.stderr,
            )
            return 2
        year = years[-1] + 1
        if year_problem(str(year)):
            print(
                f"未生成模板：{where}{years[-1]} 的下一年 {year} 超出 {YEAR_EXPECTED}",
                file=sys.stderr,
            )
            return 2
        print(f"未指定年度，按 {where} 中最近的 {years[-1]} 年生成下一年度 {year} 的模板。")
    return _write_template(base, year)


def _write_template(base: Path, year: int) -> int:
    from selfeval import template  # lazy, as every command's imports

    source_year, raw = template.latest_raw(base, year)
    items = template.unit_items(raw) if raw else []
    holdings = template.holdings_rows(raw) if raw else []
    targets = template.target_rows(raw) if raw else []
    try:
        path = template.write_template(
            base / str(year), year, items, source_year, holdings, targets
        )
    except FileExistsError as exc:
        print(f"未生成模板：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # disk full, read-only folder: write_template left nothing behind
        print(f"未生成模板：无法写入 {base / str(year)}（{exc.strerror or exc}）", file=sys.stderr)
        return 1
    print(f"已生成 {year} 年度填报模板 / template written: {path}")
    if source_year is not None:
        print(f"「单位概况」按 {source_year} 年度预填，请核对。")
        if holdings:
            print(f"「馆藏」已填入 {source_year} 年度表中的 {len(holdings)} 行，请补充 {year} 年。")
        if targets:
            print(
                f"「绩效目标」已按 {source_year} 年度批复的 {len(targets)} 项指标预填，"
                f"请按 {year} 年度的目标修改。"
            )
    else:
        print("没有找到以前年度的「单位概况」，请手工填写。")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m selfeval`; returns the exit status."""
    defer_iri_grammar()  # first thing: before anything imports jsonschema (~1.5 s saved)
    args = _parser().parse_args(argv)
    from selfeval.config import project_mismatch  # after argparse: `--help` needs no project

    problem = project_mismatch()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        return _command(args)
    except UserFacingError as exc:  # a frames folder, a refused folder, …: from any command
        print(str(exc), file=sys.stderr)
        return 1


def _command(args: argparse.Namespace) -> int:
    """Run the parsed command; its exit status."""
    if args.command == "build":
        # here, as every command's imports: the batch's modules cost ~0.6 s
        from selfeval.run.batch import build, check_years

        years, bad = check_years(args.years or [])
        if bad:
            print("\n".join(bad), file=sys.stderr)
            return 2
        return build(
            years=years or None,
            jobs=args.jobs,
            force=args.force,
            units=args.units or None,
            scheduler=args.scheduler,
        )
    if args.command == "clean":
        return clean_cli(args.year)
    if args.command == "template":
        return template_cli(args.year, args.unit)
    if args.command == "preview":
        from selfeval.run.preview import preview_cli  # here: ~0.8 s (kernel, notebooks)

        return preview_cli(args.year, args.unit, args.port)
    if args.command == "pdf":
        from selfeval.run.pdf import pdf_cli  # here: ~0.7 s (the index page's modules)

        return pdf_cli()
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
