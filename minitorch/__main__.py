import sys

from minitorch.cli import main

sys.exit(main())
