#!/usr/bin/env python3
"""Check a Xuncha record's seal offline: does the printed seal match the record's content?

    python3 verify_seal.py RECORD.json        # the record's JSON export ("导出 JSON")
    python3 verify_seal.py RECORD.pdf         # a record PDF: its embedded JSON is checked
    python3 verify_seal.py RECORD.pdf --photos DIR   # also hash the photo / signature files
    python3 verify_seal.py REPORT.pdf         # a monthly report PDF: its embedded figures

For each record it prints the record id, the seal it states and the seal recomputed from its
content, then "matches · 校验通过" or "does not match · 校验不符". Exit status: 0 every record
matches, 1 one does not, 2 the file holds no record that can be read.

The seal (docs/sync-protocol.md §4) is the SHA-256 of the RFC 8785 canonical JSON of
{"v": 1, "record_id", "property_id", "checklist": {"code", "version"}, "subject": {"type", "id"},
"inspector" (the inspector's username, not the display name), "answers" exactly as sent,
"started_at", "completed_at", "attachments" (sorted distinct SHA-256 of every photo and
signature the answers name)}.

A monthly report PDF embeds its figures as JSON ({"format": "xuncha-monthly-report",
"verification": {"v": 1, "hash"}, "generated_at", "report": {...}}); its printed verification
code is the SHA-256 of the RFC 8785 canonical JSON of "report" (the figures; the moment it was
generated is printed but not covered), and is checked the same way.

Needs only Python 3.9+. If the `rfc8785` package is installed it is used; otherwise the
canonical form is written here (enough for JSON as records hold it: objects, arrays, strings,
integers, finite numbers, booleans, null). Nothing of the Xuncha server is imported.
"""

import argparse
import hashlib
import json
import math
import re
import sys
import zlib
from pathlib import Path

SEAL_FORMAT_VERSION = 1
EXPORT_FORMAT = "xuncha-record"
REPORT_FORMAT = "xuncha-monthly-report"


# ---- RFC 8785 (JSON Canonicalization Scheme) ------------------------------------------------

def _number(value) -> str:
    """ECMAScript Number.prototype.toString of a finite double, as RFC 8785 §3.2.2.3 asks."""
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers")
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError(f"integer {value} cannot be represented exactly in JSON numbers")
        return str(value)
    if not math.isfinite(value):
        raise ValueError("NaN and infinity are not JSON")
    if value == 0:
        return "0"
    text = repr(float(value))  # the shortest digits that round-trip, as ECMAScript picks
    mantissa, _, exponent = text.partition("e")
    sign = "-" if mantissa.startswith("-") else ""
    before, _, after = mantissa.lstrip("-").partition(".")
    digits = before + after
    point = int(exponent or 0) + len(before)  # value = 0.<digits> × 10^point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    n, k = point, len(digits)  # ECMAScript: value = digits × 10^(n−k)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    exp = n - 1
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return sign + head + "e" + ("+" if exp >= 0 else "-") + str(abs(exp))


def _string(value: str) -> str:
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _canonical(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        # Keys sorted by their UTF-16 code units.
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(_string(key) + ":" + _canonical(value[key]) for key in keys) + "}"
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical_json(value) -> bytes:
    try:
        import rfc8785
    except ImportError:
        return _canonical(value).encode("utf-8")
    return rfc8785.dumps(value)


# ---- the seal -------------------------------------------------------------------------------

def attachment_hashes(answers: dict) -> list[str]:
    found = set()

    def visit(answer):
        if not isinstance(answer, dict):
            return
        for photo in answer.get("photos") or []:
            found.add(photo["sha256"])
        if answer.get("signature"):
            found.add(answer["signature"]["sha256"])
        for row in (answer.get("rows") or {}).values():
            visit(row)

    for answer in answers.values():
        visit(answer)
    return sorted(found)


def recompute_seal(record: dict) -> str:
    payload = {
        "v": record["seal"]["v"],
        "record_id": record["record_id"].lower(),
        "property_id": record["property_id"],
        "checklist": {"code": record["checklist"]["code"],
                      "version": record["checklist"]["version"]},
        "subject": {"type": record["subject"]["type"], "id": record["subject"]["id"]},
        "inspector": record["inspector"],
        "answers": record["answers"],
        "started_at": record["started_at"],
        "completed_at": record["completed_at"],
        "attachments": attachment_hashes(record["answers"]),
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()


# ---- reading the files ----------------------------------------------------------------------

_STREAM = re.compile(rb">>\s*stream\r?\n")


def embedded_files(pdf: bytes) -> list[bytes]:
    """The contents of every embedded file (/Type /EmbeddedFile stream) of a PDF."""
    found, position = [], 0
    while match := _STREAM.search(pdf, position):
        header = pdf[pdf.rfind(b" obj", 0, match.start()):match.start()]
        length = re.search(rb"/Length (\d+)(?! \d+ R)", header)
        if length:
            data = pdf[match.end():match.end() + int(length.group(1))]
        else:
            data = pdf[match.end():pdf.find(b"endstream", match.end())].rstrip(b"\r\n")
        position = match.end() + len(data)  # never look for streams inside a stream
        if b"/EmbeddedFile" not in header:
            continue
        if b"/FlateDecode" in header:
            try:
                data = zlib.decompressobj().decompress(data)
            except zlib.error:
                data = b""  # a damaged attachment: reported as unreadable
        found.append(data)
    return found


def records_in(path: Path) -> list[dict | None]:
    """The record exports a file holds (None for one that cannot be read)."""
    data = path.read_bytes()
    blobs = embedded_files(data) if data.startswith(b"%PDF") else [data]
    records = []
    for blob in blobs:
        try:
            record = json.loads(blob.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            records.append(None)
            continue
        if isinstance(record, dict) and record.get("format") in (EXPORT_FORMAT, REPORT_FORMAT):
            records.append(record)
        elif not data.startswith(b"%PDF"):
            records.append(None)
    return records


def check_report(document: dict) -> bool:
    """A monthly report's figures against the verification code printed with them."""
    stated = document["verification"]["hash"]
    if document["verification"].get("v") != SEAL_FORMAT_VERSION:
        print(f"  verification format v{document['verification'].get('v')} is not known")
        return False
    report = document["report"]
    computed = hashlib.sha256(canonical_json(report)).hexdigest()
    codes = ", ".join(section["property"]["code"] for section in report["properties"])
    print(f"monthly report {report['month']} ({codes})")
    print(f"  stated code:     {stated}")
    print(f"  recomputed code: {computed}")
    print("  matches" if computed == stated else "  does not match")
    return computed == stated


def check(record: dict, photos: Path | None) -> bool:
    if record.get("format") == REPORT_FORMAT:
        return check_report(record)
    stated = record["seal"]["hash"]
    if record["seal"].get("v") != SEAL_FORMAT_VERSION:
        print(f"  seal format v{record['seal'].get('v')} is not known to this verifier")
        return False
    computed = recompute_seal(record)
    ok = computed == stated
    print(f"record {record['record_id']} (revision {record.get('revision')}, "
          f"inspector {record['inspector']})")
    print(f"  stated seal:     {stated}")
    print(f"  recomputed seal: {computed}")
    listed = record.get("attachments")
    if listed is not None and listed != attachment_hashes(record["answers"]):
        print("  the attachment list does not match the answers")
        ok = False
    if photos is not None:
        on_disk = {hashlib.sha256(file.read_bytes()).hexdigest()
                   for file in photos.iterdir() if file.is_file()}
        missing = [sha for sha in attachment_hashes(record["answers"]) if sha not in on_disk]
        print(f"  photo and signature files: {len(attachment_hashes(record['answers'])) - len(missing)}"
              f" found, {len(missing)} missing")
        for sha in missing:
            print(f"    missing: {sha}")
    # In both languages: the PDF a supervisor holds tells them which words to look for.
    print("  matches · 校验通过" if ok else "  does not match · 校验不符")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check a Xuncha record's seal offline.")
    parser.add_argument("file", type=Path, help="a record's JSON export, or a record PDF")
    parser.add_argument("--photos", type=Path,
                        help="a folder of the record's photo and signature files to hash")
    args = parser.parse_args(argv)
    try:
        records = records_in(args.file)
    except OSError as error:
        print(f"cannot read {args.file}: {error}")
        return 2
    readable = [record for record in records if record is not None]
    if not readable:
        print(f"{args.file}: no Xuncha record found (does not match)")
        return 2
    results = []
    for record in readable:
        try:
            results.append(check(record, args.photos))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            print(f"record {record.get('record_id')}: incomplete ({error}); does not match")
            results.append(False)
    if len(records) != len(readable):
        print(f"{len(records) - len(readable)} embedded record(s) could not be read; does not match")
        return 1
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
