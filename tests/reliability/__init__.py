"""Reliability and security suites (issue 7): faults, load, cancellation, hostile input."""
