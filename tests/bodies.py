"""The text of a response, whatever its format, for tests that look for leaked names:
a PDF's extracted text (pypdf; whitespace collapsed, so a name split over two lines
still matches), any other body decoded as text."""

from __future__ import annotations

import io


def body_text(response) -> str:
    if response.mimetype == "application/pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
        return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    return response.get_data(as_text=True)
