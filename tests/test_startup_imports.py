"""What a start imports: peewee must not drag psycopg 3 in (a tenth of a second at every start)."""
import importlib.util
import subprocess
import sys

import pytest


@pytest.mark.skipif(importlib.util.find_spec("psycopg") is None, reason="psycopg 3 is not installed here")
def test_starting_the_framework_does_not_import_psycopg3_yet_it_stays_importable():
    probe = ("import sys, server, peewee; print('psycopg' in sys.modules, peewee.psycopg is None); "
             "import psycopg; print(bool(psycopg.__version__))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]
