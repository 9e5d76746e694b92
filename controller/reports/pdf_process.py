"""``python -m controller.reports.pdf_process``: HTML on stdin, its PDF on stdout. The
serving process runs WeasyPrint here, in a child, so a report's seconds of CPU never
stop its sockets (``ttdn_render``). Exit status 1 with one line on stderr on failure."""

from __future__ import annotations

import sys


def main() -> int:
    from controller.reports.ttdn_render import html_to_pdf

    try:
        pdf = html_to_pdf(sys.stdin.buffer.read().decode("utf-8"))
    except Exception as exc:  # the parent reports the line
        print(f"PDF not made: {exc}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
