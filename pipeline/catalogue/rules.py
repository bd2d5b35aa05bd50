"""The element rules of the catalogue audit, loaded from `catalogue_rules.toml` and validated.

One file holds every word list and pattern (docs/目录审核规则.md explains each rule with
examples); this module turns it into compiled matchers. The file is taken from the reference
folder when it has one (`--reference DIR`), else the shipped copy.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..reference import ReferenceDataError
from ..textnorm import norm

RULES_FILE = "catalogue_rules.toml"
SHIPPED = Path(__file__).resolve().parent.parent / "reference" / RULES_FILE

_LISTS = {
    "same_as_above": ["words"],
    "ticks": ["ticked", "unticked", "box_ticked", "box_unticked"],
    "time_limit": ["fixed", "immediate", "frequency", "lasting", "vague"],
    "channel": ["standard", "platform_suffixes", "named"],
    "basis": ["doc_number", "known", "doc_types", "lead_words", "qualifiers", "topics", "generic_nouns"],
}
_REGEX_LISTS = {("time_limit", "fixed"), ("time_limit", "frequency"), ("basis", "doc_number")}
# A trailing article reference does not change which document is named: 城乡规划法第四十条.
_ARTICLE = re.compile(r"(第[一二三四五六七八九十百千\d]+[条款项章节])+$")
_SPLIT = re.compile(r"[、,，;；/\n]|及|和|与|以及|等")


@dataclass(frozen=True)
class Rules:
    same_as_above: frozenset[str]
    ticked: frozenset[str]
    unticked: frozenset[str]
    box_ticked: frozenset[str]
    box_unticked: frozenset[str]
    options: re.Pattern
    time_clear: re.Pattern
    time_vague: frozenset[str]
    channels: tuple[str, ...]
    platform: re.Pattern
    basis_title: re.Pattern
    basis_number: re.Pattern
    basis_known: tuple[str, ...]
    basis_named: re.Pattern
    basis_generic: re.Pattern
    domain_questions: dict[str, tuple[str, ...]]

    # --- verdicts --------------------------------------------------------------------------
    def is_same_as_above(self, text: str) -> bool:
        return norm(text) in self.same_as_above

    def time_clear_enough(self, text: str) -> bool:
        """A fixed limit, 实时/及时, a frequency or 长期/永久 — and not only a vague word."""
        t = norm(text)
        return t not in self.time_vague and bool(self.time_clear.search(t))

    def channel_known(self, text: str) -> bool:
        """A usual channel, or a named platform or system (…平台, …系统, 信用中国)."""
        t = norm(text).upper()
        return any(k in t for k in self.channels) or bool(self.platform.search(t))

    def basis_verdict(self, text: str) -> str:
        """'specific' (names a document), 'generic' (相关政策文件, 有关规定 …) or 'none'."""
        t = norm(text)
        if self.basis_title.search(t) or self.basis_number.search(t) or any(k in t for k in self.basis_known):
            return "specific"
        parts = [_ARTICLE.sub("", p) for p in _SPLIT.split(t) if p]
        if any(self.basis_named.fullmatch(p) and not self.basis_generic.fullmatch(p) for p in parts):
            return "specific"
        return "generic" if any(self.basis_generic.fullmatch(p) for p in parts) else "none"

    def ticked_options(self, text: str) -> list[str] | None:
        """The options ticked in a box list (「■政府网站 □政务新媒体」 → ['政府网站']); None when
        the text is not a box list. An empty list means every box is unticked."""
        found = self.options.findall(text.strip())
        if not found or (len(found) == 1 and found[0][0].isalnum()):
            return None  # a single 口 is a character (口岸), not a box
        return [name for box, name in found if box in self.box_ticked and name]

    def tick(self, value: str) -> bool:
        """Whether a tick cell is ticked: a tick glyph or word, a ticked box; other text counts."""
        t = norm(value).upper()
        if not t:
            return False
        word = self.tick_word(t)
        if word is not None:
            return word
        if t[0] in self.box_ticked or t[0] in self.box_unticked:
            return t[0] in self.box_ticked
        return True

    def tick_word(self, text: str) -> bool | None:
        """True / False for a tick glyph or word, None for other text."""
        t = norm(text).upper()
        if t in self.ticked:
            return True
        if t in self.unticked:
            return False
        return None


def _alternation(words, escape: bool = True) -> str:
    words = sorted((norm(w) for w in words), key=len, reverse=True)
    return "|".join(re.escape(w) if escape else w for w in words)


def _compile(data: dict, path: Path) -> Rules:
    for section, keys in _LISTS.items():
        for key in keys:
            value = data.get(section, {}).get(key)
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
                raise ReferenceDataError(f"{path}：[{section}] {key} 应为非空的文字列表")
            if (section, key) in _REGEX_LISTS:
                for v in value:
                    try:
                        re.compile(v)
                    except re.error as exc:
                        raise ReferenceDataError(f"{path}：[{section}] {key} 中的“{v}”不是有效的正则表达式（{exc}）") from None
    b, t, c = data["basis"], data["time_limit"], data["channel"]
    title = b.get("title")
    try:
        title_re = re.compile(title)
    except (re.error, TypeError):
        raise ReferenceDataError(f"{path}：[basis] title 不是有效的正则表达式") from None
    questions = data.get("domain_questions", {})
    if not isinstance(questions, dict) or not all(
            isinstance(v, list) and len(v) >= 2 and all(isinstance(x, str) for x in v) for v in questions.values()):
        raise ReferenceDataError(f"{path}：[domain_questions] 每个名称应对应至少两个领域名称")
    boxes_on, boxes_off = data["ticks"]["box_ticked"], data["ticks"]["box_unticked"]
    if any(len(g) != 1 for g in boxes_on + boxes_off):
        raise ReferenceDataError(f"{path}：[ticks] box_ticked / box_unticked 每项应为单个符号")
    time_any = [*t["fixed"], *t["frequency"], _alternation(t["immediate"]), _alternation(t["lasting"])]
    generic = (f"(?:{_alternation(b['lead_words'])})?(?:{_alternation(b['qualifiers'])})*"
               f"(?:{_alternation(b['topics'])})?(?:{_alternation(b['qualifiers'])})*"
               f"(?:{_alternation(b['generic_nouns'])})+")
    return Rules(
        same_as_above=frozenset(norm(w) for w in data["same_as_above"]["words"]),
        ticked=frozenset(norm(w).upper() for w in data["ticks"]["ticked"]),
        unticked=frozenset(norm(w).upper() for w in data["ticks"]["unticked"]),
        box_ticked=frozenset(boxes_on),
        box_unticked=frozenset(boxes_off),
        options=re.compile(f"(?:^|(?<=[\\s、,，;；]))([{re.escape(''.join(boxes_on + boxes_off))}])\\s*"
                           f"([^{re.escape(''.join(g for g in boxes_on + boxes_off if g.isascii() or not g.isalnum()))}"
                           "\\s、,，;；]*)"),
        time_clear=re.compile("|".join(f"(?:{p})" for p in time_any)),
        time_vague=frozenset(norm(w) for w in t["vague"]),
        channels=tuple(norm(w).upper() for w in c["standard"]),
        platform=re.compile(f"(?:{_alternation(c['platform_suffixes'])})(?=$|[、,，;；/])|"
                            f"{_alternation(c['named'])}"),
        basis_title=title_re,
        basis_number=re.compile("|".join(f"(?:{p})" for p in b["doc_number"])),
        basis_known=tuple(norm(w) for w in b["known"]),
        basis_named=re.compile(f".{{2,}}(?:{_alternation(b['doc_types'])})"),
        basis_generic=re.compile(generic),
        domain_questions={norm(k): tuple(v) for k, v in questions.items()},
    )


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> Rules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ReferenceDataError(f"{path}：无法读取目录审核规则（{exc}）") from exc
    return _compile(data, path)


def load_rules(folder: str | Path | None = None) -> Rules:
    """The rules in `folder/catalogue_rules.toml` when present, else the shipped ones."""
    path = Path(folder) / RULES_FILE if folder else SHIPPED
    if not path.is_file():
        path = SHIPPED
    return _load(path, path.stat().st_mtime)
