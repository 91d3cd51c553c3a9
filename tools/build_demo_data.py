"""Rebuild monitor/demo/data/ from the captured real pages and exports (run from the repository root).

usage: python tools/build_demo_data.py PATH/TO/fixtures
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import sys
from pathlib import Path

OUT = Path("monitor/demo/data")


def main(fixtures: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("trustpilot_eventnet.de_2024-06-19.html", "trustpilot_eventnet.de_2024-07-02.html"):
        _gzip(fixtures / "trustpilot" / name, OUT / f"{name}.gz")
    _gzip(
        fixtures / "google_play" / "dunzo-delivery-partner_play_listing_2021.html",
        OUT / "google_play_dunzo_2021.html.gz",
    )
    # HelloPeter: the 400 newest real API records, in their original order (newest first).
    with gzip.open(fixtures / "hellopeter" / "cell-c_2021_reviews.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(400)]
    with gzip.open(OUT / "hellopeter_cell-c_400.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    # App Store export: every GrabFood row with a developer response, plus 300 unreplied FoodPanda/Deliveroo rows.
    src = fixtures / "app_store_export" / "sg_food_delivery_app_store_reviews.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames is not None
        kept, others = [], []
        for row in reader:
            if row["developerResponse"].strip():
                kept.append(row)
            elif row["app"] != "GrabFood" and len(others) < 300:
                others.append(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=reader.fieldnames, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(kept + others)
    with gzip.open(OUT / "app_store_sg_food_delivery.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        fh.write(buf.getvalue())
    print(f"app store rows: {len(kept)} replied + {len(others)} unreplied")


def _gzip(src: Path, dst: Path) -> None:
    with src.open("rb") as fin, gzip.open(dst, "wb", compresslevel=9) as fout:
        shutil.copyfileobj(fin, fout)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
