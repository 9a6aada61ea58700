"""Channel configuration of a worker: ``root:4,root.analysis:8`` (OCA's syntax, capacity only).

Each entry is a *slot*: up to ``capacity`` jobs of that channel run at once in this worker.  A
job's channel is served by the most specific configured slot that contains it (``root.sale.x`` by
``root.sale`` if configured, else by ``root``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..exception import ChannelNotFound

CHANNEL_NAME_RE = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")


@dataclass(frozen=True)
class Slot:
    channel: str
    capacity: int
    #: More specific configured slots inside this one: their jobs are theirs.
    excluded: tuple[str, ...] = ()


def covers(channel: str, name: str) -> bool:
    """Whether ``name`` is ``channel`` or one of its subchannels."""
    return name == channel or name.startswith(channel + ".")


def parse_channels(text: str) -> list[Slot]:
    """``'root:4,root.analysis:8'`` -> slots; a missing capacity is 1.  Raise ``ChannelNotFound`` on nonsense."""
    entries: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _sep, capacity = item.partition(":")
        name = name.strip()
        if not CHANNEL_NAME_RE.match(name) or not covers("root", name):
            raise ChannelNotFound(f"channel {name!r} in {text!r}: channels are 'root' or 'root.<name>...'")
        try:
            entries[name] = int(capacity.split(":")[0]) if capacity else 1
        except ValueError:
            raise ChannelNotFound(f"capacity of {name!r} in {text!r} must be an integer") from None
        if entries[name] < 1:
            raise ChannelNotFound(f"capacity of {name!r} in {text!r} must be at least 1")
    if not entries:
        raise ChannelNotFound(f"no channel in {text!r}: write for instance 'root:4,root.analysis:8'")
    return [Slot(name, capacity, tuple(sorted(o for o in entries if o != name and covers(name, o))))
            for name, capacity in entries.items()]
