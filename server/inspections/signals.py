"""What happens to a record, announced to the packages above this one.

Inspections sit below follow-ups and reviews: they must not import them, yet a stored record
raises follow-ups and a printed record carries its review steps. These signals let those
packages take part without the record code knowing them; each package connects its receivers
in its `init_app`, for that app (the sender is the app).

Blinker calls receivers synchronously, in the sending thread and in no particular order,
inside the request's open transaction. Receivers therefore only add and flush: never commit
or roll back, so what they write is committed, or rolled back, together with the record. An
exception in a receiver fails the request that sent the signal.
"""

from blinker import Namespace

_signals = Namespace()

record_stored = _signals.signal("record-stored", doc="""\
A record was stored: created, or a returned record's new revision accepted (not a resend).

Keyword argument ``record``: the flushed `Inspection`.
""")

records_loaded = _signals.signal("records-loaded", doc="""\
Records are about to be printed (`InspectionOut`); attach what you add to them.

Keyword argument ``records``: a list of `Inspection`. A receiver loads its part for all of
them in a fixed number of queries and sets it as a plain attribute on each record, so that
printing them runs no query.
""")
