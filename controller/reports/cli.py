"""``pano-controller report ttdn --year 2026 [--agency ID] [--lang en] --out FILE.pdf``:
the yearly foreign-information report written to a file, for when it is asked for on
paper or by e-mail. The format follows the file's suffix (.pdf, .html, .csv) unless
``--format`` says otherwise. The API (``GET /api/v1/reports/ttdn``) gives the same."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from controller.cli_base import EXIT_INPUT, CliError, sessions

if TYPE_CHECKING:
    from controller.settings import Settings

FORMATS = ("pdf", "html", "csv")


def cmd_report_ttdn(settings: Settings, args: argparse.Namespace) -> int:
    from controller.models import Agency
    from controller.reports.filters import ReportRefused, year_query
    from controller.reports.ttdn_render import render_to

    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise CliError(f"--out {args.out}: give a file ending in .pdf, .html or .csv, or "
                       "--format", EXIT_INPUT)
    try:
        query = year_query(args.year, args.agency)
    except ReportRefused as exc:
        raise CliError(str(exc), EXIT_INPUT) from None
    with sessions(settings)() as session:
        if args.agency and session.get(Agency, args.agency) is None:
            raise CliError(f"--agency: no agency {args.agency!r}", EXIT_INPUT)
        size = render_to(session, query, fmt, args.lang, args.out)
    print(f"Report {args.year} ({args.agency or 'whole province'}, {args.lang}) written "
          f"to {args.out} ({size} bytes).", file=sys.stderr)
    return 0


def add_report_parser(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="reports from the play journals")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    ttdn = report_sub.add_parser("ttdn", help="the yearly foreign-information report "
                                 "(báo cáo thông tin đối ngoại)")
    ttdn.add_argument("--year", type=int, required=True, help="the year, in Huế time")
    ttdn.add_argument("--agency", help="one agency's id (default: the whole province)")
    ttdn.add_argument("--lang", choices=("vi", "en"), default="vi",
                      help="the document's language (default vi)")
    ttdn.add_argument("--format", choices=FORMATS, help="default: the --out suffix")
    ttdn.add_argument("--out", type=Path, required=True, help="the file to write")
    ttdn.set_defaults(handler=cmd_report_ttdn)
