"""Command-line interface: a thin wrapper over the functions the notebooks and Makefile use."""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfeval", description="部门整体支出绩效自评报告生成 / self-evaluation reports"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="生成各年度报告 / build yearly reports")
    build.add_argument("--years", nargs="*", type=int, help="只生成这些年度 / only these years")
    build.add_argument("--jobs", type=int, default=None, help="并行进程数，默认为 CPU 核数")
    build.add_argument("--force", action="store_true", help="忽略缓存，全部重建 / rebuild all")

    clean = sub.add_parser("clean", help="只清洗校验一个年度 / clean and validate one year")
    clean.add_argument("--year", type=int, required=True)

    template = sub.add_parser("template", help="生成填报模板 / write an input workbook")
    template.add_argument(
        "--year",
        type=int,
        default=None,
        help="报告年度，默认为 data/raw/ 中最近一年的下一年 / default: the year after the latest",
    )

    sub.add_parser("bench", help="性能基准 / benchmarks")
    sub.add_parser("screenshots", help="报告截图 / screenshots of built reports")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m selfeval`; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "build":
        from selfeval.batch import build

        return build(years=args.years or None, jobs=args.jobs, force=args.force)
    if args.command == "clean":
        from selfeval.clean import clean_cli

        return clean_cli(args.year)
    if args.command == "template":
        from selfeval.template import template_cli

        return template_cli(args.year)
    if args.command == "bench":
        from selfeval.bench import bench_cli

        return bench_cli()
    if args.command == "screenshots":
        from selfeval.browser import screenshots_cli

        return screenshots_cli()
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
