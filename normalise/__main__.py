"""``python -m normalise``: the same as the ``normalise`` command."""

import sys

from .cli import main

sys.exit(main())
