"""The command line's input boundary: errors and warnings reach the user once, in one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def test_a_warning_inside_a_command_is_shown_once_and_the_command_ends():
    # Shown while warnings were being recorded, a warning used to be recorded again, for
    # ever (the command hung and ate memory); a subprocess with a timeout keeps a
    # regression from hanging the suite.
    code = textwrap.dedent(
        """
        import warnings
        from sim.cli.common import handled
        with handled():
            warnings.warn("overflow in exp", RuntimeWarning, stacklevel=1)
        print("done")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "done"
    assert proc.stderr.count("RuntimeWarning: overflow in exp") == 1, proc.stderr
