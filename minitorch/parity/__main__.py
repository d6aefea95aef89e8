"""``python -m minitorch.parity``: the parity report (:mod:`minitorch.parity.report`)."""

import sys

from minitorch.parity.report import main

sys.exit(main())
