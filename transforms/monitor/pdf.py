"""Printing the report's HTML to PDF with WeasyPrint, and checking that it can run here.

WeasyPrint draws text with Pango, a system library. Without it, :func:`pdf_problem` gives one line
that says what to install; ``python -m transforms.monitor.pdf`` prints it and exits 1 (``make demo``
runs this first, so a machine without Pango hears it before a run, not deep inside one).
"""

from __future__ import annotations

import sys

from transforms.errors import AigripError

__all__ = ["html_to_pdf", "pdf_problem", "INSTALL_HINT"]

INSTALL_HINT = ("WeasyPrint needs the Pango library to write the PDF report: install it with "
                "'sudo apt install libpango-1.0-0 libpangoft2-1.0-0' (Debian/Ubuntu), "
                "'sudo dnf install pango' (Fedora) or 'brew install pango' (macOS)")


def pdf_problem() -> str | None:
    """None when WeasyPrint and Pango are usable, else one readable line with what to install."""
    try:
        import weasyprint  # noqa: F401
    except (OSError, ImportError) as exc:
        return f"{INSTALL_HINT} ({str(exc).splitlines()[0][:120]})"
    return None


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The tagged PDF of ``html`` (A4, the document's own print CSS, language and title from the HTML);
    AigripError when WeasyPrint cannot run."""
    problem = pdf_problem()
    if problem:
        raise AigripError(problem)
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, base_url=base_url).write_pdf(pdf_tags=True)  # tagged: readable by screen readers


if __name__ == "__main__":
    line = pdf_problem()
    if line:
        print(line, file=sys.stderr)
        sys.exit(1)
    print("WeasyPrint and Pango are available: the PDF report can be written.")
