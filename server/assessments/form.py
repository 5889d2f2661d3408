"""The assessment form (form.yaml): parts, sub-items and their points, reward and penalty
bounds, the year-end weights. Loaded once and checked, so a wrong edit of the file stops the
app at start rather than producing forms that do not add up."""

from functools import cache
from pathlib import Path

import yaml

FORM_FILE = Path(__file__).with_name("form.yaml")


class FormError(ValueError):
    pass


@cache
def assessment_form() -> dict:
    form = yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))
    check_form(form)
    return form


def check_form(form: dict) -> None:
    step = form["step"]
    total = 0
    seen: set[str] = set()
    for part in form["parts"]:
        items = sum(item["points"] for item in part["items"])
        if items != part["points"]:
            raise FormError(f"part {part['id']}: sub-items add up to {items}, not {part['points']}")
        for item in part["items"]:
            if item["id"] in seen:
                raise FormError(f"sub-item {item['id']} appears twice")
            seen.add(item["id"])
            if (item["points"] / step) % 1:
                raise FormError(f"sub-item {item['id']}: points not a multiple of the step")
        total += part["points"]
    if total != form["full_marks"]:
        raise FormError(f"parts add up to {total}, not {form['full_marks']}")
    if sum(form["year_end_weights"].values()) != 100:
        raise FormError("year-end weights must add up to 100")


def form_items() -> dict[str, dict]:
    """Every sub-item by id, with the id of its part."""
    return {item["id"]: {**item, "part": part["id"]}
            for part in assessment_form()["parts"] for item in part["items"]}


def round_to_step(value: float) -> float:
    """Points rounded to the form's step (half points), halves rounded up."""
    step = assessment_form()["step"]
    return float(int(value / step + 0.5) * step)
