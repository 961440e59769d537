"""Pacing: rate-limit readings, what is learned from them, and the pacer that admits sends."""

from creatorsdk._engine.pacing.admission import Pacer, PastDeadline, Send
from creatorsdk._engine.pacing.readings import RateLimit, parse_rate_limit

__all__ = ["Pacer", "PastDeadline", "RateLimit", "Send", "parse_rate_limit"]
