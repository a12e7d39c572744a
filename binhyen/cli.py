"""`binhyen`: Django's management commands under the product's name.

`binhyen load-demo` is `load_demo`; everything else passes through unchanged.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhyen.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    # deferred: Django reads DJANGO_SETTINGS_MODULE, set just above, when this loads
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
