"""The push path's costs against the baseline measured in the same run (issue 14's
goals): first push after the commit for a change of every screen and of every tenth
screen, ack p50, server CPU per change net of idle, server memory per connection, the
reconnect storm, and whether the clients or the machine set the pace."""

from __future__ import annotations

import math
from typing import Any

from bench.stats import Phase
from bench.usage import limit_note


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


def _cell(value: float, base: float | None, unit: str = "", digits: int = 0) -> str:
    if math.isnan(value):
        return "—"
    text = f"{value:.{digits}f}{unit}"
    if base is None or math.isnan(base) or base <= 0:
        return text
    return f"{text} ({value / base:.1f}×)"


def measures(phase: Phase) -> dict[str, float]:
    """The figures of one phase the table compares."""
    info = phase.info
    tenth = info.get("tenth", {})
    storm = info.get("storm", {})
    return {
        "first_all": phase.median("first"),
        "first_tenth": _num(tenth.get("median", {}).get("first")),
        "p50": phase.median("p50"),
        "p50_tenth": _num(tenth.get("median", {}).get("p50")),
        "cpu": _num(info.get("server_cpu_ms_per_change_net")),
        "cpu_tenth": _num(tenth.get("server_cpu_ms_per_change_net")),
        "rss": _num(info.get("rss_per_conn_kib")),
        "storm_last": _num(storm.get("last_back_s")),
        "storm_errors": _num(storm.get("errors")),
    }


def table(phases: list[Phase]) -> str:
    """Markdown: each system's figure, and (×) its ratio to the baseline's."""
    header = ("| players | system | first push, all | first push, 10 % | ack p50, all "
              "| ack p50, 10 % | server CPU / change, all | CPU / change, 10 % "
              "| KiB / conn | storm: last back | storm errors | pace set by |")
    lines = [header, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for size in sorted({p.size for p in phases}):
        group = [p for p in phases if p.size == size]
        base_phase = next((p for p in group if p.system == "baseline"), None)
        base = measures(base_phase) if base_phase else {}
        for p in group:
            m = measures(p)
            ref = {} if p is base_phase else base

            def cell(key: str, unit: str = " ms", digits: int = 0,
                     m: dict[str, float] = m, ref: dict[str, float] = ref) -> str:
                return _cell(m[key], ref.get(key), unit, digits)

            errors = "—" if math.isnan(m["storm_errors"]) else f"{m['storm_errors']:.0f}"
            pace = limit_note(p.info, int(p.info.get("procs", 0))) or "server"
            lines.append(
                f"| {size} | {p.system} | {cell('first_all')} | {cell('first_tenth')} "
                f"| {cell('p50')} | {cell('p50_tenth')} | {cell('cpu')} | {cell('cpu_tenth')} "
                f"| {cell('rss', '', 0)} | {cell('storm_last', ' s', 1)} | {errors} | {pace} |")
    return "\n".join(lines)
