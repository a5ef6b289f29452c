"""The quality report is one self-contained page; a real headless browser renders its tables and plots."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polars as pl
import pytest
from PIL import Image, ImageStat

from intygscheck.report.html import render_report, write_report
from intygscheck.stats import certificate_table, compare_sexes
from intygscheck.stats.synthetic import generate_population

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = generate_population(12_000, seed=21).rows.rename({"patient_id": "patient_key"})
    table = certificate_table(rows).with_columns(
        completion_questions=pl.when(pl.col("certificate_days") > 30)
        .then(pl.lit(["17"]))
        .otherwise(pl.lit([], dtype=pl.List(pl.String))),
        fmb_exceeded=pl.col("sjukfall_days") > 60,
        fmb_motivated=pl.col("grade") < 100,
    )
    directory = tmp_path_factory.mktemp("report")
    write_report(
        directory,
        certificates=table,
        equality=compare_sexes(table),
        rule_hits={"KOMPL-17": 120, "STRUKT-33": 40, "FMB-OVER": 77},
        summary={"Indata lästa": table.height + 2, "Fel": 2},
    )
    return directory


def test_the_page_is_self_contained(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page
    assert page.count("<svg") >= 2
    assert all(
        f'id="{name}"' in page
        for name in ("summary", "rules", "forest", "distribution", "flagged", "indicators")
    )


def test_small_groups_never_reach_the_page() -> None:
    rows = generate_population(30, seed=1).rows.rename({"patient_id": "patient_key"})
    page = render_report(certificates=certificate_table(rows))
    numbers = re.findall(r'<table class="indicators">.*?</table>', page, flags=re.S)
    assert numbers
    counts = [
        int(n)
        for table in numbers
        for n in re.findall(r"<tr><td class=\"k\">[^<]*</td><td class=\"k\">[^<]*</td><td>(\d+)</td>", table)
    ]
    assert all(count >= 5 for count in counts)


def test_english_is_available() -> None:
    page = render_report(rule_hits={"R1": 1}, language="en")
    assert "Top rules by hits" in page and 'lang="en"' in page


@pytest.mark.browser
def test_chromium_renders_the_report_with_tables_and_plots(report_dir: Path, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install -y chromium"
    url = (report_dir / "report.html").as_uri()
    screenshot = tmp_path / "report.png"
    common = [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(
        [*common, f"--screenshot={screenshot}", "--window-size=1280,2400", url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1280, 2400)
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text, plots and tables, not a blank page
    assert max(ImageStat.Stat(image).stddev) > 20

    dom = subprocess.run(
        [*common, "--dump-dom", url], check=True, capture_output=True, timeout=120, text=True
    ).stdout
    assert dom.count('<table class="indicators">') >= 5
    assert "Regler med flest träffar" in dom and "KOMPL-17" in dom
    assert dom.count("<svg") >= 2
