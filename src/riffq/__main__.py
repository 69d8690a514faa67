"""``python -m riffq``: the riffq command line (see ``riffq.cli``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
