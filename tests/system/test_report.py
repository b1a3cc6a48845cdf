"""Run reports: self-contained HTML that renders in a real browser, Markdown with figures,
written whole or not at all, and the ``landport report`` command."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
from sim.cli import app
from sim.results import report as report_module
from sim.results.plots import RUN_PLOTS
from sim.results.report import write_report
from tests.conftest import BASELINE, ROOT

SHORT = {"end": "2023-02-15", "warmup_days": 7}
FEW_WEEKS = {"end": "2023-01-20", "warmup_days": 5}
"""Enough for every KPI of a comparison or a sweep, whose reports draw few figures."""
runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "short"
    sim.run(BASELINE, replications=2, out=out, overrides=SHORT, workers=1, register=False)
    return out


@pytest.fixture(scope="module")
def html_report(run_dir) -> Path:
    return write_report(sim.load(run_dir), "html")


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------------------ content


def test_html_report_is_one_self_contained_file(html_report, run_dir):
    assert html_report == run_dir / "report.html"
    text = html_report.read_text(encoding="utf-8")
    # nothing to fetch: no external scripts, stylesheets, images or fonts
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", text)
    assert "<script" not in text
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == len(RUN_PLOTS)
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG")
    for name in RUN_PLOTS:
        assert f'id="fig-{name}"' in text
    assert 'id="kpi-table"' in text
    assert 'id="kpi-table-all"' in text
    assert 'data-kpi="clearance_h.import.mean"' in text
    assert 'id="scenario-yaml"' in text
    assert 'id="manifest-json"' in text
    assert hidden_files(run_dir) == []


def test_run_report_opens_with_findings_and_groups_the_kpis_by_theme(html_report, run_dir):
    text = html_report.read_text(encoding="utf-8")
    run = sim.load(run_dir)
    assert text.index('id="summary"') < text.index('id="kpis"')
    summary = text.split('<ul class="findings">')[1].split("</ul>")[0]
    findings = re.findall(r"<li>(.*?)</li>", summary)
    assert 3 <= len(findings) <= 6
    teu = report_module.kpi_rows(run, ["teu.total"])[0]
    assert findings[0].startswith(f"Throughput: {teu.mean} TEU (± {teu.half_width})")
    assert any(f.startswith("Capacity:") for f in findings)
    assert any(f.startswith(("Stability:", "UNSTABLE")) for f in findings)
    themes = re.findall(r'<h3 id="theme-([a-z]+)">', text)
    assert themes[:3] == ["throughput", "time", "capacity"]
    for theme in themes:
        assert f'id="kpi-table-{theme}"' in text
    group = text.split('id="kpi-table-time"')[1].split("</table>")[0]
    assert 'data-kpi="clearance_h.import.mean"' in group
    assert 'data-kpi="trains.total"' not in group


def test_kpi_table_has_every_kpi_with_its_interval_and_the_published_clearance(run_dir):
    run = sim.load(run_dir)
    rows = {r.kpi: r for r in report_module.kpi_rows(run)}
    assert set(rows) == set(run.summary["kpi"])
    imp = rows["clearance_h.import.mean"]
    assert imp.published == "29.69"
    assert imp.half_width != "–"
    assert imp.n == 2
    # a run over Jan–mid-Feb does not compare its train counts with the Jan–Aug totals
    assert rows["trains.total"].published == ""
    headline = report_module.headline(run.summary["kpi"])
    assert headline[0] == "trains.total"
    assert "clearance_h.import.p90" in headline
    assert "queue.huaihua.yard.mean" not in headline


def test_report_command_writes_markdown_with_figures_beside_it(run_dir):
    done = runner.invoke(app, ["report", str(run_dir), "--format", "md"])
    assert done.exit_code == 0, done.output
    path = run_dir / "report.md"
    assert str(path) in done.output.replace("\n", "")
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == len(RUN_PLOTS)
    for link in links:
        assert (run_dir / link).read_bytes().startswith(b"\x89PNG")
    assert "| Import customs clearance time, mean | `clearance_h.import.mean` |" in text
    assert "```yaml" in text
    assert hidden_files(run_dir) == []


def test_a_failed_report_leaves_the_previous_one_and_no_debris(html_report, monkeypatch):
    before = html_report.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report_module, "draw_figures", lambda run: [])
    monkeypatch.setattr(report_module, "render_html", broken)
    run = sim.load(html_report.parent)
    with pytest.raises(RuntimeError):
        write_report(run, "html")
    assert html_report.read_bytes() == before
    assert hidden_files(html_report.parent) == []

    monkeypatch.setattr(report_module, "render_markdown", broken)
    with pytest.raises(RuntimeError):
        write_report(run, "md")
    assert hidden_files(html_report.parent) == []


def test_a_run_that_was_not_saved_needs_a_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(report_module, "draw_figures", lambda run: [])
    run = sim.run(BASELINE, replications=1, save=False, overrides=SHORT, workers=1)
    with pytest.raises(ValueError, match="not saved"):
        write_report(run)
    assert write_report(run, "md", folder=tmp_path) == tmp_path / "report.md"
    with pytest.raises(ValueError, match="format"):
        write_report(run, "pdf", folder=tmp_path)


# ------------------------------------------------------------------------------ compare, sweep


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    return sim.compare(
        BASELINE,
        ROOT / "scenarios" / "nanning-discount-45.yaml",
        replications=2,
        overrides=FEW_WEEKS,
        workers=1,
        root=tmp_path_factory.mktemp("compare"),
    )


def test_comparison_report_has_the_paired_differences_and_the_forest_plot(comparison):
    cmp = comparison
    done = runner.invoke(app, ["report", str(cmp.path)])
    assert done.exit_code == 0, done.output
    text = (cmp.path / "report.html").read_text(encoding="utf-8")
    assert "nanning-discount-45 against baseline" in text
    assert 'id="fig-forest"' in text
    for arm in ("throughput", "clearance"):
        assert f'id="fig-{arm}-a"' in text
        assert f'id="fig-{arm}-b"' in text
    assert len(re.findall(r'src="data:image/png;base64,', text)) == 5
    assert 'data-kpi="cost.rail_discount_cny"' in text
    assert "B − A" in text
    # what B changes, not two scenarios in full: the discount, and nothing that is alike
    changes = text.split('id="changes-table"')[1].split("</table>")[0]
    cells = "<td>tariffs.discount.nanning</td><td class='num'>30%</td><td class='num'>45%</td>"
    assert cells in changes
    assert changes.count("<tr>") == 1 + 1
    assert 'id="scenario-a-yaml"' in text
    assert 'id="scenario-b-yaml"' not in text
    # the executive summary says what changed, with intervals
    summary = text.split('<ul class="findings">')[1].split("</ul>")[0]
    assert "headline KPIs changed significantly" in summary
    assert "95 % CI" in summary
    assert hidden_files(cmp.path) == []


def test_sweep_report_has_every_point_and_a_response_figure_per_lever(tmp_path):
    sweep = sim.sweep(
        BASELINE,
        {"customs.import.officers": [2, 4], "customs.inspection.bays": [2, 3]},
        replications=2,
        overrides=FEW_WEEKS,
        workers=1,
        root=tmp_path,
    )
    path = write_report(sweep, "md")
    text = path.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == [
        "report-figures/response-customs.import.officers.png",
        "report-figures/response-customs.inspection.bays.png",
    ]
    headline = text.split("## Key performance indicators")[1].split("<details>")[0]
    assert headline.count("\n| ") == 1 + 4  # header and one row per point
    assert "import customs officers" in headline
    assert hidden_files(sweep.path) == []


# ------------------------------------------------------------------------------ command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/run"], "no such run folder"),
        (["{run_dir}", "--format", "pdf"], "pdf"),
        (["{run_dir}/manifest.json"], "not a folder"),
        (["{parent}"], "manifest.json"),
    ],
)
def test_report_command_says_what_is_wrong_with_exit_code_2(run_dir, args, message):
    args = [a.format(run_dir=run_dir, parent=run_dir.parent) for a in args]
    done = runner.invoke(app, ["report", *args])
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert "Traceback" not in done.output


def test_run_with_report_writes_the_report_into_the_new_run_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the run's catalogue entry goes to tmp_path/results
    monkeypatch.setattr(report_module, "draw_figures", lambda run: [])  # drawn: tests above
    out = tmp_path / "run"
    done = runner.invoke(
        app,
        [
            "run",
            str(BASELINE),
            "-n",
            "1",
            "--workers",
            "1",
            "--set",
            "end=2023-01-20",
            "--set",
            "warmup_days=5",
            "--out",
            str(out),
            "--report",
        ],
    )
    assert done.exit_code == 0, done.output
    assert (out / "report.html").is_file()
    assert "report.html" in done.output


# ------------------------------------------------------------------------------ in a browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PROBE = """
<script>
window.addEventListener("load", () => {
  const out = {
    kpiRows: document.querySelectorAll("#kpi-table tbody tr").length,
    kpis: Array.from(document.querySelectorAll("#kpi-table tbody tr")).map(r => r.dataset.kpi),
    figures: Array.from(document.querySelectorAll("figure")).map(f => ({
      id: f.id,
      width: f.querySelector("img").naturalWidth,
      height: f.querySelector("img").naturalHeight,
      complete: f.querySelector("img").complete,
    })),
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Headless Chromium: found, or installed with apt-get (Debian's ``chromium``) as root."""
    path = find_chromium()
    if path:
        return path
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(
            "Chromium is not installed and cannot be installed here (needs root and apt-get); "
            "install it with `apt-get install chromium`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # One installer at a time, even under pytest-xdist.
    with open("/tmp/landport-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            path = find_chromium()
            if path is None:
                subprocess.run(
                    ["apt-get", "update"], env=env, capture_output=True, text=True, timeout=900
                )
                done = subprocess.run(
                    ["apt-get", "install", "-y", "chromium"],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=1800,
                )
                path = find_chromium()
                if path is None:
                    pytest.skip(f"could not install Chromium with apt-get: {done.stderr[-800:]}")
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)
    return path


def headless(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_html_report_renders_in_headless_chromium_with_kpis_and_every_figure(
    chromium, html_report, tmp_path
):
    # A copy with a probe script that reports what the browser decoded; the report itself
    # carries no script.
    page = tmp_path / "probe.html"
    page.write_text(
        html_report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
        encoding="utf-8",
    )
    done = headless(
        chromium,
        tmp_path / "profile",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no probe in the dumped DOM; stderr: {done.stderr[-2000:]}"
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["kpiRows"] >= 20
    assert "clearance_h.import.mean" in probe["kpis"]
    assert "trains.total" in probe["kpis"]
    figures = {f["id"]: f for f in probe["figures"]}
    assert set(figures) == {f"fig-{name}" for name in RUN_PLOTS}
    for fig_id, fig in figures.items():
        assert fig["complete"], fig_id
        assert fig["width"] >= 600, fig_id  # decoded, not a broken image
        assert fig["height"] >= 300, fig_id

    shot = tmp_path / "report.png"
    done = headless(
        chromium,
        tmp_path / "profile2",
        f"--screenshot={shot}",
        "--window-size=1400,2000",
        html_report.as_uri(),
    )
    assert shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")


COMPARE_PROBE = """
<script>
window.addEventListener("load", () => {
  const cells = r => Array.from(r.querySelectorAll("td")).map(c => c.textContent.trim());
  const out = {
    changes: Array.from(document.querySelectorAll("#changes-table tbody tr")).map(cells),
    findings: Array.from(document.querySelectorAll("ul.findings li")).map(l => l.textContent),
    themes: Array.from(document.querySelectorAll("#kpi-table h3")).map(h => h.id),
    figures: Array.from(document.querySelectorAll("figure img")).map(i => i.naturalWidth),
  };
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def test_comparison_report_shows_the_diff_and_its_figures_in_headless_chromium(
    chromium, comparison, tmp_path
):
    path = write_report(comparison, "html")
    page = tmp_path / "probe.html"
    page.write_text(
        path.read_text(encoding="utf-8").replace("</body>", COMPARE_PROBE + "</body>"),
        encoding="utf-8",
    )
    done = headless(
        chromium, tmp_path / "profile", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()
    )
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, f"no probe in the dumped DOM; stderr: {done.stderr[-2000:]}"
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["changes"] == [["tariffs.discount.nanning", "30%", "45%"]]
    assert probe["findings"][0].endswith("with 2 paired replications")
    assert probe["themes"][:2] == ["theme-throughput", "theme-time"]
    assert len(probe["figures"]) == 5
    assert all(width >= 600 for width in probe["figures"])  # decoded, not broken images
