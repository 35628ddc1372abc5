"""Executes one notebook with Debian's nbclient and writes the executed copy.

usage: run_notebook.py IN.ipynb OUT.ipynb [--cell-timeout S]

The kernel runs with the notebook's own directory as its working directory, as
Jupyter does. Cells tagged raises-exception may fail; any other error stops the
run. The executed notebook is written even when a cell fails, so the caller can
show what happened. Exit status: 0 ran through, 1 a cell failed, 2 set-up failed.
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    cell_timeout = 90
    if "--cell-timeout" in sys.argv:
        cell_timeout = int(sys.argv[sys.argv.index("--cell-timeout") + 1])
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="ibcc",
        timeout=cell_timeout,
        startup_timeout=60,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
    )
    started = time.monotonic()
    status = 0
    try:
        client.execute()
    except CellExecutionError as err:
        sys.stderr.write(str(err)[:4000] + "\n")
        status = 1
    except Exception as err:  # kernel did not start, timed out, died
        sys.stderr.write(f"{type(err).__name__}: {err}\n")
        status = 2
    nb.metadata.setdefault("ibcc_test", {})["seconds"] = round(time.monotonic() - started, 2)
    nbformat.write(nb, out)
    return status


if __name__ == "__main__":
    sys.exit(main())
