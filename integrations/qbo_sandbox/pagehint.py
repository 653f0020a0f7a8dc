"""Where a query's next page starts, remembered from the page before it.

Clients page with ``STARTPOSITION`` (QBO's only way: ``Id`` accepts just ``=`` and ``IN``). An
offset makes every page walk past all the rows before it, which is quadratic over a 100,000-row
company when the WHERE clause is evaluated in Python (``Balance > '0'`` on invoices). After serving
a full page, the server notes "position p + n starts after row id X"; the request for that position
then starts at the key instead of skipping p + n - 1 rows.

A hint holds only while the data is unchanged: it records the store's write generation, taken
*before* the page was read, and ``SandboxDB`` advances the generation after every committed write.
Any write in between (an edit, a new invoice) makes the next page walk its offset again, so answers
are exactly those of the plain offset walk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

_SIZE = 512  # a few concurrent paging loops per realm; entries are tiny


class PageHints:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hints: OrderedDict[tuple, tuple[int, int | str]] = OrderedDict()

    def get(self, key: tuple, start: int, generation: int) -> int | str | None:
        """The id the page at ``start`` comes after, if still valid."""
        with self._lock:
            found = self._hints.get((key, start))
        if found is None or found[0] != generation:
            return None
        return found[1]

    def put(self, key: tuple, start: int, generation: int, after_id: int | str) -> None:
        with self._lock:
            self._hints[(key, start)] = (generation, after_id)
            self._hints.move_to_end((key, start))
            while len(self._hints) > _SIZE:
                self._hints.popitem(last=False)
