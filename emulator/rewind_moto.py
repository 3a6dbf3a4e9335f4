"""Rewind's extension of moto 5.2.1: the entry point that loads emulator/rewind_emulator/ into moto_server.

Run this file (runpy.run_path, or plain import) in the moto_server process BEFORE moto's server starts:

    python3 -c "import runpy; runpy.run_path('emulator/rewind_moto.py'); \
from moto.server import main; main(['-H', '127.0.0.1', '-p', '5123'])"

or, equivalently, run it as a script (it then starts the server itself, same arguments as moto_server):

    python3 emulator/rewind_moto.py -H 127.0.0.1 -p 5123

The package next to this file (rewind_emulator: core, ecs, secretsmanager, cloudfront) patches moto's classes in
place, so every backend, region and account created afterwards gets the behaviour. Environment variables, the
/rewind-api paths and every patch are documented in emulator/README.md. Against other moto internals it raises
RewindMotoPatchError at once, naming what is missing.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from rewind_emulator import RewindMotoPatchError, image_is_broken, install, is_mutating  # noqa: E402

__all__ = ["RewindMotoPatchError", "image_is_broken", "install", "is_mutating"]

install()


if __name__ == "__main__":
    from moto.server import main as _moto_main

    _moto_main(sys.argv[1:])
