"""Runs examples/python/csvscan_host.py on many argument lists in one process (one wasmtime start):
reads a JSON array of argument lists on stdin, prints a JSON array of {code, stdout, stderr}.
Used by test/python-host.test.ts."""

import io
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in examples/python
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples', 'python'))
import csvscan_host  # noqa: E402

runs = []
for argv in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    try:
        code = csvscan_host.main(argv, out, err)
    except SystemExit as exit:  # argparse's usage errors
        code = exit.code
    runs.append({'code': code, 'stdout': out.getvalue(), 'stderr': err.getvalue()})
json.dump(runs, sys.stdout)
