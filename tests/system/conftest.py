"""Fixtures shared by the system tests: headless Chromium (defined with the report tests)."""

from tests.system.test_report import chromium

__all__ = ["chromium"]
