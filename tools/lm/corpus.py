"""The demo model's corpus: King James Bible chapters + Chinese fortunes.

Sources (Debian, public domain): `bible-kjv` + `bible-kjv-text` (read with
`bible -f`), `fortunes-zh` (/usr/share/games/fortunes/{chinese,song100,tang300}).
Documents: one per Bible chapter (verses joined by newlines, references
dropped) and one per fortune (ANSI colour codes dropped). Split: within each
language, document i is held out when i % 20 == 19 (a fixed 95/5 split).
"""

import re
import subprocess
from pathlib import Path

FORTUNES = Path("/usr/share/games/fortunes")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_VERSE = re.compile(r"^(\S+?)(\d+):(\d+) (.*)$")


def kjv_chapters():
    text = subprocess.run(
        ["bible", "-f", "Gen1:1-Rev22:21"],
        check=True, capture_output=True, text=True, env={"COLUMNS": "1000000"},
    ).stdout
    chapters, key = [], None
    for line in text.splitlines():
        m = _VERSE.match(line)
        if not m:
            raise ValueError(f"unexpected bible output line: {line[:60]!r}")
        if (m.group(1), m.group(2)) != key:
            key = (m.group(1), m.group(2))
            chapters.append([])
        chapters[-1].append(m.group(4).strip())
    return ["\n".join(verses) for verses in chapters]


def chinese_fortunes():
    docs = []
    for name in ("chinese", "song100", "tang300"):
        raw = (FORTUNES / name).read_text(encoding="utf-8")
        for entry in re.split(r"^%$", raw, flags=re.M):
            entry = _ANSI.sub("", entry).strip()
            if entry:
                docs.append(entry)
    return docs


def split(docs):
    train = [d for i, d in enumerate(docs) if i % 20 != 19]
    held = [d for i, d in enumerate(docs) if i % 20 == 19]
    return train, held


def load():
    """-> {"en": (train, heldout), "zh": (train, heldout)} lists of str."""
    return {"en": split(kjv_chapters()), "zh": split(chinese_fortunes())}


if __name__ == "__main__":
    for lang, (train, held) in load().items():
        nbytes = lambda ds: sum(len(d.encode()) for d in ds)
        print(lang, len(train), nbytes(train), len(held), nbytes(held))
