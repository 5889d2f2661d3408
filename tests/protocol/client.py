"""A minimal sync client written from docs/sync-protocol.md alone, as another company would.

It speaks HTTP to a running server and knows nothing of the server's code: requests and
answers are the wire format the document describes, the seal is computed as §4 says. The
conformance tests drive it; if the document and the server part ways, they fail.
"""

import hashlib
import http.client
import json
import socket
from dataclasses import dataclass, field
from urllib.parse import urlencode

import rfc8785


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def error(self) -> dict:
        """The error envelope (§0): every error answer has it, `details` included."""
        return self.json["error"]


@dataclass
class ProtocolClient:
    host: str
    port: int
    language: str = "en"
    token: str | None = None
    sent_bytes: int = 0          # body bytes this client sent, to measure what a cut costs
    _connection: http.client.HTTPConnection | None = field(default=None, repr=False)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None, query: dict | None = None) -> Answer:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = {"Accept-Language": self.language, **(headers or {})}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if query:
            path = f"{path}?{urlencode(query)}"
        self.sent_bytes += len(body or b"")
        self._connection.request(method, path, body=body, headers=all_headers)
        response = self._connection.getresponse()
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                        response.read())
        if answer.headers.get("connection", "").lower() == "close":
            self._connection.close()
            self._connection = None
        return answer

    def json_request(self, method: str, path: str, payload, headers: dict | None = None):
        return self.request(method, path, json.dumps(payload, ensure_ascii=False).encode(),
                            {"Content-Type": "application/json", **(headers or {})})

    # ---- §1 login and pull ---------------------------------------------------------------

    def login(self, username: str, password: str) -> Answer:
        answer = self.json_request("POST", "/api/auth/login",
                                   {"username": username, "password": password,
                                    "device": "conformance client"})
        if answer.status == 200:
            self.token = answer.json["token"]
        return answer

    def pull(self, cursor: str | None = None) -> Answer:
        return self.request("GET", "/api/sync/pull", query={"cursor": cursor} if cursor else None)

    # ---- §3 blobs ------------------------------------------------------------------------

    def blob_status(self, sha256: str) -> Answer:
        return self.request("GET", f"/api/blobs/{sha256}/status")

    def put_part(self, sha256: str, data: bytes, start: int, total: int, content_type: str,
                 kind: str = "photo") -> Answer:
        end = start + len(data) - 1
        return self.request("PUT", f"/api/blobs/{sha256}", data,
                            {"Content-Type": content_type,
                             "Content-Range": f"bytes {start}-{end}/{total}"},
                            query={"kind": kind})

    def upload(self, data: bytes, content_type: str, kind: str = "photo",
               part_size: int = 256 * 1024) -> Answer:
        """The document's loop: ask `status`, send the rest in parts from `received`."""
        sha256 = hashlib.sha256(data).hexdigest()
        state = self.blob_status(sha256).json
        while not state["stored"]:
            start = state["received"]
            answer = self.put_part(sha256, data[start:start + part_size], start, len(data),
                                   content_type, kind)
            if answer.status == 409 and answer.error["code"] == "upload.offset_mismatch":
                state = {"stored": False, "received": answer.error["details"]["received"]}
                continue
            if answer.status != 200:
                return answer
            state = answer.json
        return self.blob_status(sha256)

    def cut_part(self, sha256: str, data: bytes, start: int, total: int, content_type: str,
                 arrive: int) -> int:
        """Send a part whose connection breaks after ``arrive`` of its bytes: the headers
        declare the whole part, then the sender stops and closes its side. Returns the HTTP
        status the server still managed to write back (it is usually lost on a phone)."""
        end = start + len(data) - 1
        head = (f"PUT /api/blobs/{sha256}?kind=photo HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {self.token}\r\nContent-Type: {content_type}\r\n"
                f"Content-Range: bytes {start}-{end}/{total}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n").encode()
        with socket.create_connection((self.host, self.port), timeout=30) as sock:
            sock.sendall(head + data[:arrive])
            self.sent_bytes += arrive
            sock.shutdown(socket.SHUT_WR)  # the cut: nothing more will come
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
        return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0

    # ---- §2 records ----------------------------------------------------------------------

    def push(self, record_id: str, body: dict, if_match: str | None = None,
             device_time: str | None = None) -> Answer:
        headers = {}
        if if_match is not None:
            headers["If-Match"] = if_match
        if device_time is not None:
            headers["X-Device-Time"] = device_time
        return self.json_request("PUT", f"/api/inspections/{record_id}", body, headers)

    def record(self, record_id: str) -> Answer:
        return self.request("GET", f"/api/inspections/{record_id}")

    def review(self, record_id: str, action: str, revision: int | None,
               comment: str | None = None, item_comments: dict | None = None) -> Answer:
        payload = {"action": action}
        if revision is not None:
            payload["revision"] = revision
        if comment is not None:
            payload["comment"] = comment
        if item_comments is not None:
            payload["item_comments"] = item_comments
        return self.json_request("POST", f"/api/inspections/{record_id}/review", payload)

    def record_json(self, record_id: str) -> Answer:
        return self.request("GET", f"/api/inspections/{record_id}/record.json")

    def record_pdf(self, record_id: str) -> Answer:
        return self.request("GET", f"/api/inspections/{record_id}/pdf")

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def attachment_hashes(answers: dict) -> list[str]:
    found = set()

    def visit(answer):
        for photo in answer.get("photos") or []:
            found.add(photo["sha256"])
        if answer.get("signature"):
            found.add(answer["signature"]["sha256"])
        for row in (answer.get("rows") or {}).values():
            visit(row)

    for answer in answers.values():
        visit(answer)
    return sorted(found)


def seal(record_id: str, body: dict, username: str) -> str:
    """§4: SHA-256 of the RFC 8785 form of the sealed fields."""
    payload = {"v": 1, "record_id": record_id.lower(), "property_id": body["property_id"],
               "checklist": {"code": body["checklist"]["code"],
                             "version": body["checklist"]["version"]},
               "subject": {"type": body["subject"]["type"], "id": body["subject"]["id"]},
               "inspector": username, "answers": body["answers"],
               "started_at": body["started_at"], "completed_at": body["completed_at"],
               "attachments": attachment_hashes(body["answers"])}
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


def fill(definition: dict, photo: str, signature: str, at: str,
         fail: dict[str, str] | None = None) -> dict:
    """Answers for every required item of a checklist definition (as the pull gives it):
    pass on every pass/fail item except those in ``fail`` (item → comment, with the photo
    as evidence), the first option of a single choice, the photo on photo items, the signature
    on signature items."""
    fail = fail or {}
    answers = {}
    for section in definition["sections"]:
        for item in section["items"]:
            if item.get("required") is False and "required_when" not in item:
                continue
            kind = item["type"]
            if kind == "pass_fail":
                answers[item["id"]] = ({"value": "fail", "comment": fail[item["id"]],
                                        "photos": [{"sha256": photo, "captured_at": at}]}
                                       if item["id"] in fail else {"value": "pass"})
            elif kind == "photo":
                answers[item["id"]] = {"photos": [{"sha256": photo, "captured_at": at}]}
            elif kind == "signature":
                answers[item["id"]] = {"signature": {"sha256": signature,
                                                     "signer_name": "签字人", "signed_at": at}}
            elif kind == "yes_no":
                answers[item["id"]] = {"value": "yes"}
            elif kind == "text":
                answers[item["id"]] = {"value": "正常"}
            elif kind == "single_choice":  # e.g. the site's status: the first, usual answer
                answers[item["id"]] = {"value": item["options"][0]["value"]}
    return answers
