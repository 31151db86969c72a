"""The partnership's logo for the public edition's cover: an upload checked and drawn again,
so nothing of it but its pixels reaches a report."""

from __future__ import annotations

from app.services.errors import ServiceError

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 25_000_000
LOGO_BOX = (1200, 600)


def checked_logo(data: bytes) -> bytes:
    """An uploaded logo, checked and re-encoded: a PNG or JPEG image (no other kind, nothing
    over 2 MB or 25 megapixels) drawn again by Pillow as a PNG at most 1200 by 600 pixels, so
    nothing of the upload but its pixels (no metadata, no trailing data) reaches a report.
    Raises ``ServiceError`` for anything else."""
    import io

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ServiceError("Choose an image file for the logo", "logo")
    if len(data) > LOGO_MAX_BYTES:
        raise ServiceError("The logo must be under 2 MB", "logo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in ("PNG", "JPEG"):
            raise ServiceError("The logo must be a PNG or JPEG image", "logo")
        if width * height > LOGO_MAX_PIXELS:
            raise ServiceError("The logo image is too large: at most 25 megapixels", "logo")
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, ServiceError):
            raise
        raise ServiceError("That file is not an image the app can read", "logo") from None
    clean.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()
