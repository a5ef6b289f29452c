"""Lint warnings for a ruleset that loads: what is legal but probably a mistake.

``intygscheck rules check`` prints these after the load-time errors (which stop a ruleset
from loading at all). Only what the checked file itself defines is linted, not what it
inherits. Warnings: a rule without examples, without an example that fires or one that
passes, without a reference, without a title, with identical Swedish and English messages;
a ``let`` or lexicon that nothing uses (in a file that has rules).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..rules import ast
from ..rules.checker import LetRef, LetSymbol, LexiconRef
from ..rules.loader import display_path
from ..rules.ruleset import Rule, Ruleset

MESSAGES: dict[str, dict[str, str]] = {
    "sv": {
        "no_examples": "regeln '{id}' har inga exempel (lägg till 'example fires' och 'example passes')",
        "no_fires": "inget exempel får regeln '{id}' att slå till (lägg till 'example fires')",
        "no_passes": "regeln '{id}' har inget exempel där den inte slår till (lägg till 'example passes')",
        "no_reference": "regeln '{id}' saknar källa ('reference')",
        "no_title": "regeln '{id}' saknar titel ('title')",
        "same_messages": "regeln '{id}' har samma text i 'message sv' och 'message en'",
        "unused_let": "let '{id}' används inte av någon regel",
        "unused_lexicon": "lexikonet '{id}' används inte av någon regel",
        "warning": "varning",
    },
    "en": {
        "no_examples": "rule '{id}' has no examples (add 'example fires' and 'example passes')",
        "no_fires": "no example makes rule '{id}' fire (add 'example fires')",
        "no_passes": "rule '{id}' has no example where it does not fire (add 'example passes')",
        "no_reference": "rule '{id}' has no 'reference'",
        "no_title": "rule '{id}' has no 'title'",
        "same_messages": "rule '{id}' has the same text in 'message sv' and 'message en'",
        "unused_let": "let '{id}' is not used by any rule",
        "unused_lexicon": "lexicon '{id}' is not used by any rule",
        "warning": "warning",
    },
}


@dataclass(frozen=True)
class LintWarning:
    """One warning at one place: ``code`` names the kind, ``subject`` the rule/let/lexicon."""

    file: str
    line: int
    column: int
    code: str
    subject: str

    def message(self, lang: str = "sv") -> str:
        """The warning's text in ``lang``."""
        return MESSAGES.get(lang, MESSAGES["sv"])[self.code].format(id=self.subject)

    def render(self, lang: str = "sv") -> str:
        """``file:line:col: warning: message``, like the loader's errors."""
        word = MESSAGES.get(lang, MESSAGES["sv"])["warning"]
        return f"{self.file}:{self.line}:{self.column}: {word}: {self.message(lang)}"


def lint(ruleset: Ruleset) -> list[LintWarning]:
    """The warnings for what ``ruleset``'s own file defines, in source order."""
    own_file = Path(ruleset.path).resolve() if ruleset.path else None
    own_rules = [rule for rule in ruleset.rules if _same_file(rule.file, own_file)]
    warnings: list[LintWarning] = []
    for rule in own_rules:
        warnings.extend(_rule_warnings(rule))
    if own_rules and own_file is not None:
        warnings.extend(_unused(ruleset, own_file))
    return sorted(warnings, key=lambda w: (w.file, w.line, w.column, w.code))


def _same_file(label: str, own_file: Path | None) -> bool:
    return own_file is not None and Path(label).resolve() == own_file


def _rule_warnings(rule: Rule) -> list[LintWarning]:
    def warn(code: str) -> LintWarning:
        return LintWarning(rule.file, rule.line, 1, code, rule.id)

    out = []
    if not rule.examples:
        out.append(warn("no_examples"))
    else:
        if not any(example.must_fire for example in rule.examples):
            out.append(warn("no_fires"))
        if all(example.must_fire for example in rule.examples):
            out.append(warn("no_passes"))
    if not rule.references:
        out.append(warn("no_reference"))
    if rule.title == rule.id:
        out.append(warn("no_title"))
    sv, en = rule.messages.get("sv"), rule.messages.get("en")
    if sv is not None and en is not None and sv.source.strip() == en.source.strip():
        out.append(warn("same_messages"))
    return out


def _unused(ruleset: Ruleset, own_file: Path) -> list[LintWarning]:
    used_lets: set[str] = set()
    used_lexicons: set[str] = set()

    def scan(node: ast.Expr | None, resolved: Mapping[int, object]) -> None:
        if node is None:
            return
        for sub in ast.walk(node):
            target = resolved.get(id(sub))
            if isinstance(target, LetRef):
                used_lets.add(target.symbol.name)
            elif isinstance(target, LexiconRef):
                used_lexicons.add(target.lexicon.name)

    for rule in ruleset.rules:
        used_lets.update(name for name in rule.reads if name in ruleset.lets)
        if rule.annotations is not None:
            scan(rule.when, rule.annotations.resolved)
    for symbol in ruleset.lets.values():
        if symbol.annotations is not None:
            scan(symbol.decl.expr, symbol.annotations.resolved)
    out = [
        LintWarning(symbol.file, symbol.decl.pos.line, symbol.decl.pos.column, "unused_let", name)
        for name, symbol in ruleset.lets.items()
        if name not in used_lets and _own_let(symbol, own_file)
    ]
    label = display_path(own_file)
    for name, (line, column) in _lexicon_positions(own_file).items():
        if name in ruleset.lexicons and name not in used_lexicons:
            out.append(LintWarning(label, line, column, "unused_lexicon", name))
    return out


def _own_let(symbol: LetSymbol, own_file: Path) -> bool:
    return Path(symbol.file).resolve() == own_file


_LEXICON = re.compile(r"^([ \t]*)lexicon[ \t]+([^\W\d]\w*)", re.MULTILINE)


def _lexicon_positions(path: Path) -> dict[str, tuple[int, int]]:
    """Where each ``lexicon NAME`` of the file is declared (the AST keeps no lexicon position)."""
    text = path.read_text(encoding="utf-8")
    out: dict[str, tuple[int, int]] = {}
    for match in _LEXICON.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        out.setdefault(match.group(2), (line, len(match.group(1)) + 1))
    return out
