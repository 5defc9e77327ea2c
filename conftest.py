"""Set-up for every pytest run, the notebooks (nbval) included.

Figures are pointed at a scratch folder before any kernel starts, so running
the tests never rewrites ``figures/`` (kernels inherit this environment).
"""

import os
import shutil
import tempfile

_SCRATCH = tempfile.mkdtemp(prefix="sco-test-figures-")
os.environ["SCO_FIGURES_DIR"] = _SCRATCH


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SCRATCH, ignore_errors=True)
