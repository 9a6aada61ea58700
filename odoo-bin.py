#!/usr/bin/env python3
"""Entry point of the server: ``python odoo-bin.py [COMMAND] [OPTIONS]`` (see ``--help``)."""
import sys

from server.cli import main

if __name__ == "__main__":
    sys.exit(main())
