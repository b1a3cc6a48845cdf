"""Reports in Chinese (``--lang zh``): every heading and table in Simplified Chinese, figures
labelled in Chinese with a font that has the glyphs, and a headless Chromium that draws the
characters themselves, not empty boxes. The CJK font is installed the way Chromium is
(Debian's ``fonts-noto-cjk``, with apt-get, as root), or the browser tests are skipped."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

import sim
from sim.results import i18n
from sim.results.plots import RUN_PLOTS
from sim.results.plots.style import cjk_font
from sim.results.report import write_report
from tests.conftest import landport
from tests.system.test_report import headless

HAN = re.compile(r"[\u4e00-\u9fff]")
FONT_PACKAGE = "fonts-noto-cjk"


def system_has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    done = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(done.stdout.strip())


@pytest.fixture(scope="session")
def cjk_fonts() -> str:
    """A font with Chinese glyphs on the system: found, or installed with apt-get
    (``fonts-noto-cjk``) as root; its family as matplotlib knows it."""
    if not system_has_cjk_font():
        if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
            pytest.skip(
                "no font with Chinese glyphs, and none can be installed here (needs root and "
                f"apt-get); install one with `apt-get install {FONT_PACKAGE}`"
            )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        with open("/tmp/landport-cjk-font-install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not system_has_cjk_font():
                    done = subprocess.run(
                        ["apt-get", "install", "-y", "--no-install-recommends", FONT_PACKAGE],
                        env=env, capture_output=True, text=True, timeout=1800,
                    )  # fmt: skip
                    if done.returncode != 0:  # the package lists may be out of date
                        subprocess.run(
                            ["apt-get", "update"], env=env, capture_output=True, timeout=900
                        )
                        done = subprocess.run(
                            ["apt-get", "install", "-y", "--no-install-recommends", FONT_PACKAGE],
                            env=env, capture_output=True, text=True, timeout=1800,
                        )  # fmt: skip
                    if not system_has_cjk_font():
                        pytest.skip(f"could not install {FONT_PACKAGE}: {done.stderr[-800:]}")
            finally:
                with contextlib.suppress(OSError):
                    fcntl.flock(lock, fcntl.LOCK_UN)
    cjk_font.cache_clear()  # matplotlib's font list may predate the install
    family = cjk_font()
    assert family is not None, "fontconfig has a CJK font but matplotlib found none"
    return family


@pytest.fixture(scope="module")
def zh_report(run_dir, cjk_fonts) -> tuple[Path, list[str]]:
    """The report in Chinese, and the warnings drawing it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_report(sim.load(run_dir), "html", lang="zh")
    return path, [str(w.message) for w in caught]


# ------------------------------------------------------------------------------ content


def test_a_chinese_report_has_its_headings_tables_and_places_in_chinese(zh_report):
    path, _ = zh_report
    text = path.read_text(encoding="utf-8")
    assert '<html lang="zh-Hans">' in text
    for key in ("report.kpis", "report.figures", "report.manifest", "column.mean"):
        assert i18n.label(key, "zh") in text, key
    assert "怀化国际陆港" in re.search(r"<h1>(.*?)</h1>", text).group(1)
    assert "进口通关时间" in text or "进口" in text
    assert "Key performance indicators" not in text
    # the dotted KPI names stay, so a reader can find them in summary.csv
    assert 'data-kpi="clearance_h.import.mean"' in text
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", text)
    assert captions == [i18n.label(f"caption.{name}", "zh") for name in RUN_PLOTS]


def test_chinese_figures_are_drawn_with_a_font_that_has_the_glyphs(zh_report, cjk_fonts):
    _, caught = zh_report
    missing = [m for m in caught if "missing from font" in m]
    assert missing == [], missing[:3]


def test_english_stays_the_default(run_dir):
    path = write_report(sim.load(run_dir), "md")
    text = path.read_text(encoding="utf-8")
    assert "## Key performance indicators" in text
    assert not HAN.search(text.split("## Scenario as resolved")[0].replace("怀化国际陆港", ""))


def test_report_command_in_chinese_and_an_unknown_language_is_exit_2(run_dir, cjk_fonts):
    done = landport("report", run_dir, "--format", "md", "--lang", "zh")
    assert done.exit_code == 0, done.output
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "## 关键绩效指标" in text
    bad = landport("report", run_dir, "--lang", "fr")
    assert bad.exit_code == 2
    assert "--lang" in bad.output
    assert "Traceback" not in bad.output


# ------------------------------------------------------------------------------ in a browser


def glyph_shot(browser: str, tmp_path: Path, text: str, name: str) -> np.ndarray:
    """A screenshot of ``text`` at 160 px in the report's own fonts, as grey levels."""
    css = (Path(sim.__file__).parent / "results/report/templates/report.css").read_text()
    page = tmp_path / f"{name}.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{css}'
        "body{margin:0;padding:0} p{font-size:160px;line-height:1;margin:20px}</style></head>"
        f"<body><p>{text}</p></body></html>",
        encoding="utf-8",
    )
    shot = tmp_path / f"{name}.png"
    done = headless(
        browser, tmp_path / f"profile-{name}", f"--screenshot={shot}",
        "--window-size=400,240", page.as_uri(),
    )  # fmt: skip
    assert shot.is_file(), done.stderr[-2000:]
    pixels = imread(shot)
    return np.asarray(pixels[..., :3].mean(axis=2))


def test_chromium_draws_the_chinese_characters_of_the_report(
    chromium, cjk_fonts, zh_report, tmp_path
):
    path, _ = zh_report
    title = re.search(r"<h1>(.*?)</h1>", path.read_text(encoding="utf-8")).group(1)
    chars = HAN.findall(title)
    assert len(set(chars)) >= 2, title
    first, second = chars[0], next(c for c in chars if c != chars[0])
    a = glyph_shot(chromium, tmp_path, first, "a")
    b = glyph_shot(chromium, tmp_path, second, "b")
    none = glyph_shot(chromium, tmp_path, "\ue000", "tofu")  # no font has this character
    ink_a, ink_b = (a < 0.5).sum(), (b < 0.5).sum()
    assert ink_a > 200, "the first character drew nothing"
    assert ink_b > 200, "the second character drew nothing"
    # Missing glyphs are all the same box; drawn ones differ from each other and from it.
    assert np.abs(a - b).mean() > 0.01, "two characters drew the same shape: missing glyphs"
    assert np.abs(a - none).mean() > 0.01, "a character drew the missing-glyph box"

    shot = tmp_path / "report-zh.png"
    done = headless(
        chromium, tmp_path / "profile-report", f"--screenshot={shot}",
        "--window-size=1400,1600", path.as_uri(),
    )  # fmt: skip
    assert shot.is_file(), done.stderr[-2000:]
    grey = np.asarray(imread(shot)[..., :3].mean(axis=2))
    assert (grey[:120] < 0.5).sum() > 500, "the report's Chinese title drew nothing"


def test_without_a_cjk_font_a_chinese_report_says_so_once(run_dir, monkeypatch, tmp_path):
    from sim.results import report as report_module

    monkeypatch.setattr(report_module, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = write_report(sim.load(run_dir), "md", lang="zh", folder=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count("fonts-noto-cjk") == 1
    assert not [w for w in caught if "missing from font" in str(w.message)]
