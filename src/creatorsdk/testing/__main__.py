"""``python -m creatorsdk.testing creatoraudit --port 8080``: serve a fake on loopback."""

import sys

from creatorsdk.testing._cli import main

#: Subcommand → the module with ``add_arguments(parser)`` and ``build(args)`` for that fake.
FAKES = {
    "creatoraudit": "creatorsdk.testing.creatoraudit.cli",
    "trackagoat": "creatorsdk.testing.trackagoat.cli",
}

if __name__ == "__main__":
    sys.exit(main(FAKES))
