"""`python -m bench.slides` — how long a 1080p text slide takes to render, against a
cache hit of ``slide_media`` (the input-hash lookup that makes a second call render
nothing), in one process.

    python -m bench.slides              # 9 runs of each case
    python -m bench.slides --runs 21

Every miss uses a spec never seen before (its body carries the run number), so each one
really shapes, draws, encodes and stores a slide; the fonts are loaded once beforehand,
as in a running controller. The table gives the median of each case, the fastest hit,
and the ratio of a miss's median to a hit's."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from controller.db import make_engine, make_session_factory, upgrade
from controller.media.store import MediaStore
from controller.slides import cache
from controller.slides.render import LangText, QrSpec, SlideSpec, render

QR = QrSpec("https://pano.example/q/AB12CD34", "pano.example/q/AB12CD34")
SITE = ("Cửa khẩu quốc tế A Đớt", "A Dot International Border Gate")


def _specs() -> dict[str, SlideSpec]:
    vi_en = SlideSpec(1920, 1080, (
        LangText("vi", "Chào mừng quý khách đến Thừa Thiên Huế",
                 "Thành phố Festival, vùng đất di sản văn hóa thế giới."),
        LangText("en", "Welcome to Thừa Thiên Huế",
                 "The festival city, home of world cultural heritage.")),
        site_vi="Cảng Chân Mây", site_en="Chan May Port", qr=QR)
    vi_lo_en = SlideSpec(1080, 1920, (
        LangText("vi", "Tình hữu nghị Việt Nam – Lào",
                 "Thừa Thiên Huế hợp tác với các tỉnh Salavan và Sekong."),
        LangText("lo", "ມິດຕະພາບ ລາວ – ຫວຽດນາມ", "ຮ່ວມມືກັບແຂວງສາລະວັນ ແລະ ແຂວງເຊກອງ."),
        LangText("en", "Viet Nam – Laos friendship",
                 "Thừa Thiên Huế works with the provinces of Salavan and Sekong.")),
        site_vi=SITE[0], site_en=SITE[1], qr=QR)
    return {"1920×1080 vi/en + QR": vi_en, "1080×1920 vi/lo/en + QR": vi_lo_en}


def _numbered(spec: SlideSpec, n: int) -> SlideSpec:
    first = spec.texts[0]
    return replace(spec, texts=(replace(first, body=f"{first.body} ({n})"), *spec.texts[1:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slides",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    rows: list[tuple[str, float, float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="pano-bench-slides-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'pano.db'}"
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        store = MediaStore(Path(tmp) / "media")
        for label, spec in _specs().items():
            render(_numbered(spec, -1))  # warm-up: fonts loaded, shaper ready
            renders, misses, hits = [], [], []
            for n in range(args.runs):
                started = time.perf_counter()
                render(_numbered(spec, n))
                renders.append(time.perf_counter() - started)
            with sessions() as session:
                for n in range(args.runs):
                    started = time.perf_counter()
                    cache.slide_media(session, store, _numbered(spec, 1000 + n))
                    session.commit()
                    misses.append(time.perf_counter() - started)
            count = cache.render_count
            with sessions() as session:  # a new session: each hit reads the database
                for n in range(args.runs):
                    started = time.perf_counter()
                    cache.slide_media(session, store, _numbered(spec, 1000 + n))
                    hits.append(time.perf_counter() - started)
            assert cache.render_count == count, "a cache hit rendered"
            median = statistics.median
            rows.append((label, median(renders), median(misses), median(hits), min(hits)))
        engine.dispose()
    print(f"\nText slides, median of {args.runs} runs each. render: drawing only; miss: "
          f"slide_media\nfor a new spec (render, PNG, store, rows); hit: slide_media for a "
          f"stored spec\n(input hash found in rendered_slides, nothing rendered).\n")
    print("| slide | render ms | miss ms | hit ms | fastest hit ms | miss ÷ hit |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, render_s, miss, hit, fastest in rows:
        print(f"| {label} | {render_s * 1000:.1f} | {miss * 1000:.1f} | {hit * 1000:.2f} | "
              f"{fastest * 1000:.2f} | {miss / hit:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
