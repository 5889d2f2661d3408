"""Page envelope for list endpoints: {"items", "page", "per_page", "total"}."""

import sqlalchemy as sa

from .db import db


def paginate(statement, query: dict) -> dict:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        statement.order_by(None).subquery()))
    page, per_page = query["page"], query["per_page"]
    items = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}
