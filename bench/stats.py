"""What bench/report.py and bench/boottime.py both need: the interpolated
quantile of a sample, and a run's date as the document writes it."""

import math
from datetime import datetime, timezone


def quantile(values, p):
    """The p-quantile, interpolated between the two nearest ranks."""
    s = sorted(values)
    i = (len(s) - 1) * p
    lo, hi = math.floor(i), math.ceil(i)
    return s[lo] + (s[hi] - s[lo]) * (i - lo)


def utc(seconds, fmt="%Y-%m-%d %H:%M"):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(fmt)
