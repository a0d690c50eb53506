"""`python -m yuqing.demo` serves the demo sites standalone (same options as `python -m yuqing.demo.sites`)."""

import sys

from .sites import main

sys.exit(main())
