"""Questions media asks of the packages above it, which it must not import.

A blob (photo, signature) is referenced by records and follow-ups, which sit above media. To
decide who may download a blob, media asks them through `blob_holders`; each package connects
its receiver in its `init_app`, for that app (the sender is the app). Blinker calls receivers
synchronously, in no particular order, and hands back what they return.
"""

from blinker import Namespace

_signals = Namespace()

blob_holders = _signals.signal("blob-holders", doc="""\
Which properties hold these blobs? Keyword argument ``sha256s`` (a list). Each receiver
returns a SELECT of two columns, (sha256, property id), for its rows that reference one of
the blobs. It must not run it.
""")
