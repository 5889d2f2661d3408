"""Publishing checklist versions. Idempotent: loading the same content twice changes nothing."""

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import yaml

from server.core.db import db
from server.core.errors import Problem

from .definition import DefinitionError, content_hash, validate_definition
from .models import ChecklistVersion


@dataclass
class LoadResult:
    source: str
    code: str
    version: int
    outcome: str  # "published" | "unchanged"


class ChecklistLoadError(Exception):
    """Problems in one or more files; each line names the file, the item and what is wrong."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_definition_file(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        import json
        return json.loads(text)
    return yaml.safe_load(text)


def checklist_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir()
                      if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    return [path]


def load_checklists(path: Path, *, dry_run: bool = False) -> list[LoadResult]:
    """Validate every file first, then publish; any problem anywhere means nothing is written."""
    files = checklist_files(path)
    if not files:
        raise ChecklistLoadError([f"{path}: no checklist files (*.yaml, *.yml, *.json)"])
    problems: list[str] = []
    parsed: list[tuple[Path, dict]] = []
    for file in files:
        try:
            raw = read_definition_file(file)
        except (yaml.YAMLError, ValueError, UnicodeDecodeError) as error:
            problems.append(f"{file.name}: cannot be read: {_first_line(error)}")
            continue
        try:
            parsed.append((file, validate_definition(raw)))
        except DefinitionError as error:
            problems.extend(f"{file.name}: {problem}" for problem in error.problems)
    seen: dict[tuple[str, int], str] = {}
    for file, definition in parsed:
        key = (definition["code"], definition["version"])
        if key in seen:
            problems.append(f"{file.name}: {key[0]} version {key[1]} is also in {seen[key]}")
        seen[key] = file.name
    results = []
    for file, definition in parsed:
        try:
            outcome = _outcome(definition)
        except Problem as problem:
            code, version = definition["code"], definition["version"]
            problems.append(f"{file.name}: {code} version {version} is published with other "
                            f"content; a published version never changes. Save it as "
                            f"version {problem.params['next']} instead.")
            continue
        results.append(LoadResult(file.name, definition["code"], definition["version"], outcome))
    if problems:
        raise ChecklistLoadError(problems)
    if not dry_run:
        for (_file, definition), result in zip(parsed, results, strict=True):
            if result.outcome == "published":
                _insert(definition, result.source)
        db.session.flush()
    return results


def publish_definition(raw, source: str | None = None) -> tuple[ChecklistVersion, bool]:
    """Publish one definition given over the API. Returns (row, created)."""
    try:
        definition = validate_definition(raw)
    except DefinitionError as error:
        raise Problem("checklist.invalid", details={"problems": error.problems}) from None
    if _outcome(definition) == "unchanged":
        return find_version(definition["code"], definition["version"]), False
    row = _insert(definition, source)
    db.session.flush()
    return row, True


def find_version(code: str, version: int) -> ChecklistVersion | None:
    return db.session.scalar(sa.select(ChecklistVersion).filter_by(code=code, version=version))


def latest_versions() -> list[ChecklistVersion]:
    newest = (sa.select(ChecklistVersion.code, sa.func.max(ChecklistVersion.version).label("v"))
              .group_by(ChecklistVersion.code).subquery())
    query = (sa.select(ChecklistVersion)
             .join(newest, sa.and_(ChecklistVersion.code == newest.c.code,
                                   ChecklistVersion.version == newest.c.v))
             .order_by(ChecklistVersion.code))
    return list(db.session.scalars(query))


def _outcome(definition: dict) -> str:
    existing = find_version(definition["code"], definition["version"])
    if existing is None:
        return "published"
    if existing.content_hash == content_hash(definition):
        return "unchanged"
    newest = db.session.scalar(sa.select(sa.func.max(ChecklistVersion.version))
                               .filter_by(code=definition["code"]))
    raise Problem("checklist.published_changed", code=definition["code"],
                  version=definition["version"], next=newest + 1)


def _insert(definition: dict, source: str | None) -> ChecklistVersion:
    row = ChecklistVersion(
        code=definition["code"], version=definition["version"],
        title_zh=definition["title"]["zh-CN"], title_en=definition["title"]["en"],
        subject=definition["subject"], definition=definition,
        content_hash=content_hash(definition), source_file=source)
    db.session.add(row)
    return row


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
