"""The 通报 as PDF: LibreOffice converts the .docx, with the fonts the document names mapped to
metric-compatible OFL substitutes (assets/fonts/fontconfig.conf) where they are missing, so
that the pages break as they do in Word with the official fonts."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTCONFIG = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "fontconfig.conf"
# fonts the PDF needs: (fontconfig family, Debian package that installs it)
SUBSTITUTES = {"Noto Serif CJK SC": "fonts-noto-cjk", "Noto Sans CJK SC": "fonts-noto-cjk",
               "Liberation Serif": "fonts-liberation2"}


def available() -> bool:
    return bool(shutil.which("soffice"))


def to_pdf(paths, out_dir: str | Path, timeout: float = 300) -> list[Path]:
    """Convert .docx/.xlsx files to PDF in out_dir with a private LibreOffice profile."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"FONTCONFIG_FILE": str(FONTCONFIG)}
    with tempfile.TemporaryDirectory(prefix="zwgk-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, paths)],
                       check=True, capture_output=True, timeout=timeout, env=env)
    return [out_dir / (Path(p).stem + ".pdf") for p in paths]
