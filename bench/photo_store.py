"""Server CPU to check and store one uploaded photo: decoding, the display copy, the thumbnail.

    .venv/bin/python bench/photo_store.py [--repeat 15]

Three uploads, each processed --repeat times in this process (`server.media.images.process`,
no database, no disk), alternating, CPU time per photo (median):
1. what the PWA uploads: a JPEG the phone re-encoded, 1600×1200, nothing in it but pixels.
   It is its own display copy; only the thumbnail is decoded, at reduced scale;
2. the same bytes the way they were processed before (decoded whole, display copy re-encoded);
3. a camera file within 1600 px that carries EXIF: re-encoded, as any camera file is.
Ratio 1 ÷ 2 is the saving on every photo a patrol sends.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from PIL import Image

    from bench.pdf_render import camera_photo, phone_photo
    from server.media import images

    camera, phone = camera_photo(3), phone_photo(3)
    exif = Image.Exif()
    exif[0x0132] = "2026:11:23 09:01:00"
    out = io.BytesIO()
    Image.open(io.BytesIO(camera)).save(out, "JPEG", quality=90, exif=exif.tobytes())
    with_exif = out.getvalue()

    display_ready = images._is_display_ready

    def as_before(image):  # every photo decoded whole and re-encoded
        return False

    cases = {"PWA photo (1600×1200, plain)": (phone, display_ready),
             "same bytes, processed as before": (phone, as_before),
             "camera file with EXIF (1600×1200)": (with_exif, display_ready)}
    cpu = {name: [] for name in cases}
    for _ in range(args.repeat):
        for name, (data, rule) in cases.items():
            images._is_display_ready = rule
            start = time.process_time()
            images.process(data, "image/jpeg", "photo", 50_000_000)
            cpu[name].append(time.process_time() - start)
    images._is_display_ready = display_ready
    print(f"photo bytes: PWA {len(phone):,} B; camera with EXIF {len(with_exif):,} B")
    for name, times in cpu.items():
        print(f"  {name:36} CPU median {statistics.median(times) * 1000:6.1f} ms, "
              f"best {min(times) * 1000:6.1f} ms over {args.repeat}")
    ratio = statistics.median(cpu["PWA photo (1600×1200, plain)"]) / statistics.median(
        cpu["same bytes, processed as before"])
    print(f"  ratio PWA photo now / as before: {ratio:.2f}")


if __name__ == "__main__":
    main()
