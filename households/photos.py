"""Visit photos, made safe on the server: the type is sniffed from the content (never the name or the
browser's word), size and pixel count are bounded, and the picture is re-encoded as JPEG carrying
only the time it was taken — no GPS, camera or owner tags leave the phone's EXIF in our files."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_TOO_LARGE = "照片“{name}”超过 {mb} MB，请重新拍摄或压缩后上传"
PHOTO_TYPE_WRONG = "“{name}”不是照片（只能上传 JPEG、PNG 或 WebP 格式的图片）"
PHOTO_BROKEN = "照片“{name}”已损坏，无法读取"
PHOTO_TOO_MANY_PIXELS = "照片“{name}”像素过多，请降低分辨率后上传"

# magic bytes → Pillow format
_SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))
TAG_DATETIME = 0x0132  # IFD0 DateTime
TAG_DATETIME_ORIGINAL = 0x9003  # Exif IFD DateTimeOriginal
EXIF_IFD = 0x8769
EXIF_TIME_FORMAT = "%Y:%m:%d %H:%M:%S"
LONGEST_SIDE = 2560  # phones send ≤ 1600 px (shrunk in the browser); keep a bound for other clients


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int
    taken_at: dt.datetime | None


def sniff(head: bytes) -> str | None:
    for magic, fmt in _SIGNATURES:
        if head.startswith(magic):
            return fmt
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _exif_time(image: Image.Image) -> dt.datetime | None:
    exif = image.getexif()
    raw = exif.get_ifd(EXIF_IFD).get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip("\x00 "), EXIF_TIME_FORMAT)  # noqa: DTZ007
    except ValueError:
        return None
    return timezone.make_aware(naive)  # a camera's clock is local time


def clean_photo(upload, *, fallback_time: dt.datetime | None = None) -> CleanPhoto:
    """Check and re-encode one uploaded file; raises ValidationError with a Chinese message."""
    name = getattr(upload, "name", "") or "照片"
    max_bytes = settings.FIELD_PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(PHOTO_TOO_LARGE.format(name=name, mb=max_bytes // (1024 * 1024)))
    upload.seek(0)
    fmt = sniff(upload.read(16))
    if fmt is None:
        raise ValidationError(PHOTO_TYPE_WRONG.format(name=name))
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != fmt:
                raise ValidationError(PHOTO_TYPE_WRONG.format(name=name))
            if probe.width * probe.height > settings.FIELD_PHOTO_MAX_PIXELS:
                raise ValidationError(PHOTO_TOO_MANY_PIXELS.format(name=name))
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(PHOTO_BROKEN.format(name=name)) from None
    taken_at = _exif_time(image) or fallback_time
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    exif = Image.Exif()
    if taken_at is not None:
        stamp = timezone.localtime(taken_at).strftime(EXIF_TIME_FORMAT)
        exif[TAG_DATETIME] = stamp
        exif.get_ifd(EXIF_IFD)[TAG_DATETIME_ORIGINAL] = stamp
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True, exif=exif.tobytes())
    return CleanPhoto(out.getvalue(), image.width, image.height, taken_at)
