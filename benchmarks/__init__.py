"""Side-by-side benchmarks of creatorsdk (``python -m benchmarks``; see README.md)."""
