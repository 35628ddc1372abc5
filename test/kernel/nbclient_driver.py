"""Executes a small notebook on the ibcc kernelspec with Debian's nbclient
(allow_errors) and prints the resulting outputs as JSON. Run by
front-ends.test.ts with JUPYTER_PATH pointing at a temporary install."""
import json

import nbformat
from nbclient import NotebookClient

cells = [
    'console.log("hello from nbclient")',
    'display(html("<b>bold</b>"));\nundefined',
    'const h = await display("before");\nawait sleep(50);\nawait h.update("after");\nundefined',
    'throw new RangeError("on purpose")',
    '"still running " + (20 + 22)',
]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
NotebookClient(nb, kernel_name="ibcc", allow_errors=True, timeout=120, startup_timeout=120).execute()
print(json.dumps({
    "language": nb.metadata.get("language_info", {}).get("name"),
    "cells": [{"count": c.execution_count, "outputs": c.outputs} for c in nb.cells],
}))
