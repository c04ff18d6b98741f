"""Shared by the resume tests: `run_resume` runs resume_script.py in a fresh interpreter (so it
can be SIGKILLed mid-fit) and returns the finished process."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = str(Path(__file__).with_name("resume_script.py"))


@pytest.fixture
def run_resume():
    def run(*args, check=True):
        done = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=120)
        if check:
            assert done.returncode == 0, done.stderr
        return done
    return run
