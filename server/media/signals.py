"""Questions media asks of the packages above it, which it must not import.

A blob (photo, signature) is referenced by records and follow-ups, which sit above media. To
decide who may download a blob, media asks them through `blob_holders`; each package connects
its receiver in its `init_app`, for that app (the sender is the app). Blinker calls receivers
synchronously, in no particular order, and hands back what they return.
"""

from blinker import Namespace

_signals = Namespace()

blob_holders = _signals.signal("blob-holders", doc="""\
Which properties hold a blob? Keyword arguments ``sha256`` and ``property_ids`` (the caller's
visible properties, or None for all). Each receiver returns a SELECT of one column: the
property ids, among ``property_ids``, of its rows that reference the blob. It must not run it.
""")
