"""Rule results kept in this process, under the marks of `generations.py`.

The key of every entry names the marks read before it was computed (and the property's day),
so an entry is never served once another process has written: the mark it names is gone from
the database, and no later request asks for it. Only the size is bounded here; entries of
marks that have moved on are pushed out as new ones come in, least recently used first.
Each process keeps its own: a write costs every process one recomputation, no more.
"""

import threading
from collections import OrderedDict

_MISSING = object()


class Kept:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key, compute):
        """The entry under ``key``, or ``compute()``'s result, kept for the next caller."""
        if self.size <= 0:
            return compute()
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is not _MISSING:
                self._entries.move_to_end(key)
                self.hits += 1
                return value
            self.misses += 1
        # Computed outside the lock: two threads may compute the same entry once each, which
        # is cheaper than making every other request wait on one lock.
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()


results = Kept(0)


def configure(size: int):
    results.size = size
    results.clear()
