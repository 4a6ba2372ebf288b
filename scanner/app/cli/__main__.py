"""``python -m scanner.app.cli``: the console script ``msgscan``."""

import sys

from scanner.app.cli import main

sys.exit(main())
