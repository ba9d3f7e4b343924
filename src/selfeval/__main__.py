"""`python -m selfeval` runs the command-line interface."""

from selfeval.cli import main

raise SystemExit(main())
