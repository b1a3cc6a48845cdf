"""Fixtures shared by the system tests, defined with the report tests: headless Chromium, and
a short run of the baseline to report on (one per test module)."""

from tests.system.test_report import chromium, run_dir

__all__ = ["chromium", "run_dir"]
