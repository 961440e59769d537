"""The resource layer both API clients are built on. Private: import from ``creatorsdk``.

``arguments``  the checks every argument goes through before the network, and their rules
``envelope``   how an API wraps its replies; decoding one object, building a cursor pager
``resource``   the resource base class, how a client declares its resources, and which
               requests are safe to repeat

What only one API has stays in its package (``creatoraudit/``, ``trackagoat/``).
"""
