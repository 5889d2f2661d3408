"""Page envelope for list endpoints: {"items", "page", "per_page", "total"}."""

import sqlalchemy as sa

from .db import db


def paginate(statement, query: dict) -> dict:
    # Count with the same WHERE but no columns, joins for eager loading or ORDER BY: on 100k
    # rows that is the difference between a count of an index and a sort of the table.
    # maintain_column_froms: without a WHERE naming the table, a bare count has no FROM and
    # answers 1.
    total = db.session.scalar(statement.with_only_columns(sa.func.count(), maintain_column_froms=True)
                              .order_by(None))
    page, per_page = query["page"], query["per_page"]
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
