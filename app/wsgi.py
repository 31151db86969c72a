"""The WSGI entry point for gunicorn (``app.wsgi:application``).

An unsafe or incomplete configuration is reported as one clear line, not a traceback; exit
status 3 is gunicorn's "worker failed to boot", which stops the master instead of respawning.
"""

from __future__ import annotations

import sys

from app import create_app
from app.config import ConfigError

try:
    application = create_app()
except ConfigError as error:
    sys.stderr.write(f"learning-review: {error}\n")
    sys.exit(3)
