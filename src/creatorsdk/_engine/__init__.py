"""The HTTP engine both API clients are built on. Private: import from ``creatorsdk``."""
