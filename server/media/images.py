"""Decoding uploads defensively and making the copies we serve.

Everything is decoded from the bytes, never trusted from the file name or Content-Type: a text
file called .jpg, an SVG, a truncated JPEG or a 30000×30000 PNG bomb is refused before it can
cost memory, and nothing of it is stored.
"""

import io
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # iPhone photos; the wheel bundles libheif, no system packages needed
    import pillow_heif
    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - declared dependency
    pillow_heif = None

from server.core.errors import Problem

PHOTO_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP",
               "image/heic": "HEIF", "image/heif": "HEIF"}
SIGNATURE_TYPES = {"image/png": "PNG"}
DISPLAY_EDGE = 1600
THUMB_EDGE = 320
EXIF_DATETIME_ORIGINAL = 36867
EXIF_DATETIME = 306
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
# XMP's location properties (exif:GPSLatitude, ..., and IPTC's LocationShown / LocationCreated).
_XMP_LOCATION = (b"GPSLatitude", b"GPSLongitude", b"LocationShown", b"LocationCreated")


@dataclass
class ProcessedImage:
    display: bytes
    display_type: str
    thumb: bytes
    width: int
    height: int
    exif_taken_at: str | None


def accepted_types(kind: str) -> dict[str, str]:
    return SIGNATURE_TYPES if kind == "signature" else PHOTO_TYPES


# What each accepted type's first bytes are (offset, bytes); HEIC files are ISO media files
# whose first box is "ftyp".
_SIGNATURES = {"JPEG": ((0, b"\xff\xd8\xff"),), "PNG": ((0, b"\x89PNG\r\n\x1a\n"),),
               "WEBP": ((0, b"RIFF"), (8, b"WEBP")), "HEIF": ((4, b"ftyp"),)}


def sniff(data: bytes) -> str | None:
    """The image format the first bytes announce, or None."""
    for image_format, marks in _SIGNATURES.items():
        if all(data[offset:offset + len(mark)] == mark for offset, mark in marks):
            return image_format
    return None


def check_signature(first_bytes: bytes, content_type: str, kind: str):
    """Refuse a first part whose bytes are not the type its Content-Type names."""
    formats = accepted_types(kind)
    if len(first_bytes) < 12 or content_type not in formats:
        return  # too little to tell; the whole file is decoded once it has arrived
    actual = sniff(first_bytes)
    if actual is None:
        raise Problem("upload.not_an_image", details={"accepted_types": sorted(formats)})
    if actual != formats[content_type]:
        raise Problem("upload.type_mismatch", details={"accepted_types": sorted(formats)},
                      type=content_type, actual=actual)


class _DecodingSlots:
    """At most ``DECODE_CONCURRENCY`` images decode at once in a process: a decoded 16-MP
    image takes about 64 MB, and eight at once from one patrol must not exhaust a worker.
    A request that finds no slot within ``DECODE_WAIT_SECONDS`` is told to retry (503)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._semaphore: threading.BoundedSemaphore | None = None
        self._size = 0

    def semaphore(self, size: int) -> threading.BoundedSemaphore:
        with self._lock:
            if self._semaphore is None or self._size != size:
                self._semaphore, self._size = threading.BoundedSemaphore(size), size
            return self._semaphore


_slots = _DecodingSlots()


@contextmanager
def decoding_slot(concurrency: int, wait_seconds: float):
    semaphore = _slots.semaphore(max(1, concurrency))
    if not semaphore.acquire(timeout=wait_seconds):
        raise Problem("upload.busy", headers={"Retry-After": "5"},
                      details={"retry_after_seconds": 5})
    try:
        yield
    finally:
        semaphore.release()


def decode(data: bytes, content_type: str, kind: str, max_pixels: int,
           prepare=None) -> Image.Image:
    """The image, decoded whole (a truncated file is refused here, not later in a PDF).
    ``prepare(image)`` is called after the checks and before the pixels are decoded."""
    formats = accepted_types(kind)
    limits = {"accepted_types": sorted(formats), "max_pixels": max_pixels}
    if content_type not in formats:
        raise Problem("upload.unsupported_type", details=limits, type=content_type or "?")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(set(formats.values())))
            width, height = image.size
            if width * height > max_pixels:
                raise Problem("upload.too_many_pixels", details=limits,
                              size=f"{width}×{height}", limit=f"{max_pixels / 1e6:.0f}")
            if image.format != formats[content_type]:
                raise Problem("upload.type_mismatch", details=limits, type=content_type,
                              actual=image.format or "?")
            if prepare is not None:
                prepare(image)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Problem("upload.too_many_pixels", details=limits, size="?",
                      limit=f"{max_pixels / 1e6:.0f}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise Problem("upload.not_an_image", details=limits) from None
    return image


# What a JPEG drawn by the phone's own re-encoding (the PWA's canvas) carries besides pixels.
_PLAIN_JPEG_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive",
                    "progression"}


def _is_display_ready(image: Image.Image) -> bool:
    """A JPEG already fit to serve as the display copy: within the display size, colours a
    browser shows as they are, and nothing in the file but pixels (no EXIF, so upright; no
    XMP, ICC profile or comment). That is what the PWA uploads; a camera file is re-encoded."""
    return (image.format == "JPEG" and image.mode in ("RGB", "L")
            and max(image.size) <= DISPLAY_EDGE and set(image.info) <= _PLAIN_JPEG_INFO
            and all(marker == "APP0" for marker, _ in image.applist))


def _thumb_size(width: int, height: int) -> tuple[int, int]:
    ratio = min(THUMB_EDGE / width, THUMB_EDGE / height, 1)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def exif_taken_at(image: Image.Image) -> str | None:
    try:
        exif = image.getexif()
        value = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    except Exception:  # noqa: BLE001 - broken EXIF must not refuse a good photo
        return None
    return str(value).strip()[:32] if value else None


def carries_location(image: Image.Image) -> bool:
    """Does the file say where it was taken (EXIF GPS, or XMP location)?"""
    try:
        if image.getexif().get_ifd(GPS_IFD):
            return True
    except Exception:  # noqa: BLE001 - unreadable EXIF holds no location we could read either
        pass
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    return any(tag in xmp for tag in _XMP_LOCATION)


_PNG_END = b"IEND\xaeB`\x82"


def has_trailing_data(data: bytes, image_format: str) -> bool:
    """Bytes after the image's end: a JPEG past its end marker, a PNG past its IEND chunk, a
    WebP past its RIFF length. Nothing a camera or the phone's re-encoding writes, but the
    place to hide a web page in a file that still decodes as a picture. (HEIF has no end
    marker; its original is only ever served as a download.)"""
    if image_format == "JPEG":
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if image_format == "PNG":
        return not data.endswith(_PNG_END)
    if image_format == "WEBP":
        riff_length = int.from_bytes(data[4:8], "little") + 8
        return len(data) > riff_length + (riff_length % 2)
    return False


def process(data: bytes, content_type: str, kind: str, max_pixels: int) -> ProcessedImage:
    ready = {}

    def decode_small_when_ready(image):
        # A display-ready JPEG is kept as its own display copy, so only the thumbnail needs
        # pixels: libjpeg decodes it at 1/2–1/8 scale, still reading (and checking) every byte.
        if kind == "photo" and _is_display_ready(image):
            ready["size"] = image.size
            image.draft(image.mode, _thumb_size(*image.size))

    image = decode(data, content_type, kind, max_pixels, prepare=decode_small_when_ready)
    if has_trailing_data(data, image.format):
        # The original is kept and served byte for byte: nothing may ride along with it.
        raise Problem("upload.trailing_data")
    if carries_location(image):
        # The original is kept byte for byte (its SHA-256 names it and is sealed in records),
        # so its metadata cannot be removed here: a photo that records where someone's home
        # is would be kept for good. Phones re-encode photos before upload, which drops it.
        raise Problem("upload.has_location")
    taken = exif_taken_at(image)
    if kind == "signature":
        # Signatures are served as uploaded (lossless PNG); only a small preview is made.
        thumb = image.copy()
        thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
        return ProcessedImage(data, "image/png", _encode(thumb, "PNG"), image.width,
                              image.height, None)
    if ready:
        image.thumbnail(_thumb_size(*ready["size"]), Image.Resampling.LANCZOS)
        return ProcessedImage(data, "image/jpeg", _encode(image, "JPEG"), *ready["size"], None)
    # Orientation first: Pillow drops EXIF on save, and a sideways photo is useless evidence.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS)
    display = _encode(image, "JPEG")
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return ProcessedImage(display, "image/jpeg", _encode(thumb, "JPEG"), image.width,
                          image.height, taken)


def _encode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(out, image_format, optimize=True)
    return out.getvalue()
