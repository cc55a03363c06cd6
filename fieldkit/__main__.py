"""`python -m fieldkit` is the same as the `fieldkit` command."""

import sys

from fieldkit.cli import main

sys.exit(main())
