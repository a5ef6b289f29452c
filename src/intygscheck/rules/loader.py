"""``load_ruleset(name_or_path)``: find, parse, compose, check and compile a ruleset, once.

Shipped rulesets are addressed by name (``data_dir("rulesets")/<name>.rules``), files by path;
``extends``/``import`` look next to the including file first, then among the shipped ones.
Compiled rulesets are cached per process, keyed by path and the modification times of the
file and everything it includes. :func:`load_recent` puts a short-lived memo in front of that
for the by-name hot path of ``check``: the names are resolved and the files' modification
times re-read at most once per :data:`REVALIDATE_SECONDS` (or after :func:`clear_cache`).
Every problem is reported compiler-style, all at once.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from .._resources import data_dir
from . import ast, examples
from . import types as t
from .ast import Pos
from .checker import ROOT_NAMES, Annotations, Checker, LetSymbol, Scope
from .compiler import Closure, Compiler, CoverageRecorder, Reads, analyse, path_question
from .errors import Diagnostic, DiagnosticSink, RulesetError, did_you_mean
from .lexicon import Lexicon
from .parser import parse_expression, parse_ruleset
from .regex import Regex
from .ruleset import Category, Rule, RuleExample, Ruleset, Severity, TextMatch
from .schema import members, question_matches, roots
from .templates import Template, TemplateSyntaxError, source_column, split

_LET_KEYS = itertools.count(1)
_CACHE: dict[str, tuple[tuple[tuple[str, float], ...], Ruleset]] = {}
_LOCK = threading.RLock()
_RECENT: dict[Hashable, tuple[float, tuple[Ruleset, ...]]] = {}
_RECENT_LIMIT = 256

REVALIDATE_SECONDS = 1.0
"""How long :func:`load_recent` trusts what it loaded before it resolves names and re-reads the
files' modification times again: an edited ruleset file is seen by checks started at most this
long after the edit (at once after :func:`clear_cache`; a new process always sees it)."""

_ONCE = ("title", "severity", "category", "questions", "when", "valid_from", "valid_to", "tags", "evidence")
_OVERRIDABLE = {
    "title",
    "severity",
    "category",
    "questions",
    "message",
    "reference",
    "valid_from",
    "valid_to",
    "tags",
    "example",
}
_REQUIRED = ("severity", "category", "questions", "when")
_LANGS = ("sv", "en")


def load_ruleset(
    name_or_path: str | os.PathLike[str] | Ruleset, *, coverage: CoverageRecorder | None = None
) -> Ruleset:
    """The compiled ruleset ``name_or_path`` (a shipped name like ``"komplettering"`` or a path).

    Raises :class:`~.errors.RulesetError` (compiler-style, every problem listed) when the
    ruleset or anything it includes does not load. With ``coverage``, compiles a fresh,
    instrumented copy (not cached) that records which ``and``/``or`` operands were true.
    """
    if isinstance(name_or_path, Ruleset):
        return name_or_path
    path = resolve(str(name_or_path), None)
    if path is None:
        raise RulesetError([Diagnostic(str(name_or_path), Pos(0, 0, 0, 0), _not_found(str(name_or_path)))])
    if coverage is None:
        cached = _fresh(str(path))  # the common case needs no lock
        if cached is not None:
            return cached
    with _LOCK:
        return _Loader(coverage).load(path, ())


def _fresh(key: str) -> Ruleset | None:
    """The cached ruleset for ``key`` when none of its files changed since it was compiled."""
    entry = _CACHE.get(key)
    if entry is None:
        return None
    stamps, ruleset = entry
    return ruleset if all(_mtime(file) == mtime for file, mtime in stamps) else None


def resolve(reference: str, base_dir: Path | None) -> Path | None:
    """The file a ruleset reference names: a path, or a name beside ``base_dir`` or shipped."""
    looks_like_path = reference.endswith(".rules") or "/" in reference or os.sep in reference
    candidates: list[Path] = []
    if looks_like_path:
        given = Path(reference)
        if base_dir is not None and not given.is_absolute():
            candidates.append(base_dir / given)
        candidates.append(given)
    else:
        if base_dir is not None:
            candidates.append(base_dir / f"{reference}.rules")
        candidates.append(shipped_dir() / f"{reference}.rules")
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    return None


def shipped_dir() -> Path:
    """The folder of the shipped rulesets."""
    return data_dir("rulesets")


def shipped_names() -> list[str]:
    """The names of the shipped rulesets, sorted."""
    return sorted(path.stem for path in shipped_dir().glob("*.rules"))


def _not_found(reference: str) -> str:
    hint = did_you_mean(reference, shipped_names())
    return f"ruleset '{reference}' not found{hint} (a shipped ruleset name or a path to a .rules file)"


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_recent(key: Hashable, load: Callable[[], tuple[Ruleset, ...]]) -> tuple[Ruleset, ...]:
    """What ``load()`` returned for ``key`` less than :data:`REVALIDATE_SECONDS` ago, else ``load()``.

    ``load`` resolves ruleset names and paths and calls :func:`load_ruleset` (which stats every
    file to notice edits, ~0.1 ms per ruleset); ``check`` runs that at most once a second per
    distinct list of names instead of on every call. Thread-safe: a lookup is one dict read;
    two threads that revalidate at the same moment both load (the same cached objects). A load
    that raises is not remembered.
    """
    now = time.monotonic()
    entry = _RECENT.get(key)
    if entry is not None and now - entry[0] < REVALIDATE_SECONDS:
        return entry[1]
    loaded = load()
    if len(_RECENT) >= _RECENT_LIMIT:
        _RECENT.clear()
    _RECENT[key] = (now, loaded)
    return loaded


def clear_cache() -> None:
    """Forget every compiled ruleset and resolved name (tests; after editing ruleset files in place:
    the next ``check`` then reloads at once instead of within :data:`REVALIDATE_SECONDS`)."""
    with _LOCK:
        _CACHE.clear()
        _RECENT.clear()


class _Loader:
    """One load: each file is compiled at most once, so a file reached twice (a diamond: A imports
    B and C, both import D) is the same ruleset object on both paths and its lets and lexicons
    merge as one — with or without coverage (the coverage copy bypasses the process cache)."""

    def __init__(self, coverage: CoverageRecorder | None) -> None:
        self.coverage = coverage
        self.loaded: dict[str, Ruleset] = {}

    def load(self, path: Path, stack: tuple[Path, ...]) -> Ruleset:
        key = str(path)
        done = self.loaded.get(key)
        if done is not None:
            return done
        if self.coverage is None:
            cached = _fresh(key)
            if cached is not None:
                self.loaded[key] = cached
                return cached
        self.loaded[key] = ruleset = self._compile(path, stack)
        return ruleset

    def _compile(self, path: Path, stack: tuple[Path, ...]) -> Ruleset:
        key = str(path)
        label = display_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesetError([Diagnostic(label, Pos(0, 0, 0, 0), f"cannot read ruleset: {exc}")]) from None
        tree = parse_ruleset(text, label)
        parents: list[tuple[ast.Located, Ruleset, bool]] = []
        sink = DiagnosticSink(label, text)
        for located, is_extends in [*((e, True) for e in tree.extends), *((i, False) for i in tree.imports)]:
            target = resolve(located.value, path.parent)
            if target is None:
                sink.error(located.pos, _not_found(located.value))
                continue
            if target in (*stack, path):
                chain = " -> ".join(display_path(p) for p in (*stack, path, target))
                sink.error(located.pos, f"ruleset includes itself: {chain}")
                continue
            parents.append((located, self.load(target, (*stack, path)), is_extends))
        sink.raise_if_any()
        ruleset = _Build(path, label, text, tree, parents, sink, self.coverage).build()
        if self.coverage is None:
            stamps = tuple((source, _mtime(Path(source))) for source in ruleset.sources)
            _CACHE[key] = (stamps, ruleset)
        return ruleset


def _mtime(path: Path | str) -> float:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1.0


class _Build:
    """Composes and compiles one parsed file on top of its loaded parents."""

    def __init__(
        self,
        path: Path,
        label: str,
        text: str,
        tree: ast.RulesetFile,
        parents: list[tuple[ast.Located, Ruleset, bool]],
        sink: DiagnosticSink,
        coverage: CoverageRecorder | None,
    ) -> None:
        self.path = path
        self.label = label
        self.tree = tree
        self.parents = parents
        self.sink = sink
        self.notes = Annotations()
        self.checker = Checker(sink, self.notes)
        self.compiler = Compiler(self.notes, label, coverage)
        self.name = tree.name.value if tree.name else path.stem
        self.lets: dict[str, LetSymbol] = {}
        self.lexicons: dict[str, Lexicon] = {}
        self.rules: dict[str, Rule] = {}
        self.rule_origin: dict[str, str] = {}
        self._let_reads: dict[int, Reads] = {}
        self.examples: dict[int, RuleExample] = {}

    # ---- composition ----

    def build(self) -> Ruleset:
        self._inherit()
        self._own_lexicons()
        own_lets = self._own_lets()
        checked = self._check_rules()
        self.sink.raise_if_any()
        for symbol in own_lets:
            self._compile_let(symbol)
        for decl, reads in checked:
            if decl.override:
                self._apply_override(decl)
            else:
                self.rules[decl.id] = self._compile_rule(decl, reads)
        for located in self.tree.disables:
            self.rules.pop(located.value, None)
        sources = [str(self.path)]
        for _, parent, _ in self.parents:
            sources.extend(s for s in parent.sources if s not in sources)
        rules = tuple(self.rules.values())
        return Ruleset(
            name=self.name,
            version=self.tree.version or "0",
            description=self.tree.description or "",
            path=str(self.path),
            rules=rules,
            lets=self.lets,
            lexicons=self.lexicons,
            sources=tuple(sources),
            roots=frozenset().union(*(rule.roots for rule in rules)),
        )

    def _inherit(self) -> None:
        for located, parent, is_extends in self.parents:
            for name, symbol in parent.lets.items():
                if name in self.lets and self.lets[name] is not symbol:
                    self.sink.error(
                        located.pos, f"let '{name}' is defined both here and in an earlier include"
                    )
                self.lets[name] = symbol
            for name, lexicon in parent.lexicons.items():
                if name in self.lexicons and self.lexicons[name] is not lexicon:
                    self.sink.error(
                        located.pos, f"lexicon '{name}' is defined both here and in an earlier include"
                    )
                self.lexicons[name] = lexicon
            if not is_extends:
                continue
            for rule in parent.rules:
                if rule.id in self.rules and self.rules[rule.id] is not rule:
                    self.sink.error(
                        located.pos,
                        f"rule '{rule.id}' comes from both '{self.rule_origin[rule.id]}' and '{parent.name}'",
                    )
                self.rules[rule.id] = rule
                self.rule_origin[rule.id] = parent.name

    def _own_lexicons(self) -> None:
        for decl in self.tree.lexicons:
            if decl.name in self.lexicons or decl.name in self.lets:
                self.sink.error(decl.pos, f"'{decl.name}' is already defined")
                continue
            if not decl.entries:
                self.sink.error(decl.pos, f"lexicon '{decl.name}' is empty")
            for entry in decl.entries:
                if not entry.value.strip() or entry.value.strip() == "*":
                    self.sink.error(entry.pos, "empty lexicon entry")
            words = [entry.value.strip() for entry in decl.entries if entry.value.strip()]
            self.lexicons[decl.name] = Lexicon.compile(decl.name, words)

    def _own_lets(self) -> list[LetSymbol]:
        out: list[LetSymbol] = []
        certificate = members(roots()["certificate"].model)
        for decl in self.tree.lets:
            name = decl.name
            if name in self.lets or name in self.lexicons:
                self.sink.error(decl.pos, f"'{name}' is already defined")
                continue
            if name in ROOT_NAMES or name in certificate:
                self.sink.error(
                    decl.pos, f"let '{name}' would hide the certificate field '{name}'; choose another name"
                )
                continue
            type_ = self.checker.check(decl.expr, Scope(self.lets, self.lexicons))
            symbol = LetSymbol(name, decl, type_, self.label, next(_LET_KEYS))
            self._analyse_let(symbol)
            self.lets[name] = symbol
            out.append(symbol)
        return out

    # ---- rules: checking ----

    def _check_rules(self) -> list[tuple[ast.RuleDecl, Reads]]:
        checked: list[tuple[ast.RuleDecl, Reads]] = []
        own: dict[str, ast.RuleDecl] = {}
        for decl in self.tree.rules:
            self._check_clause_counts(decl)
            self._check_metadata(decl)
            self._check_examples(decl)
            if decl.override:
                target = self.rules.get(decl.id)
                if target is None:
                    hint = did_you_mean(decl.id, self.rules)
                    self.sink.error(decl.pos, f"override of unknown rule '{decl.id}'{hint}")
                    continue
                for clause in decl.clauses:
                    if clause.value not in _OVERRIDABLE:
                        self.sink.error(
                            clause.pos,
                            f"'{clause.value}' cannot be overridden (only {', '.join(sorted(_OVERRIDABLE))})",
                        )
                self._check_messages(decl, set(target.reads), require_both=False)
                checked.append((decl, Reads()))
                continue
            if decl.id in own:
                first = own[decl.id].pos.line
                self.sink.error(decl.pos, f"duplicate rule id '{decl.id}' (first defined on line {first})")
                continue
            if decl.id in self.rules:
                self.sink.error(
                    decl.pos,
                    f"rule '{decl.id}' is already defined in ruleset '{self.rule_origin[decl.id]}'; "
                    "use 'override rule' to change it",
                )
                continue
            own[decl.id] = decl
            present = {clause.value for clause in decl.clauses}
            for required in _REQUIRED:
                if required not in present:
                    self.sink.error(decl.pos, f"rule '{decl.id}' has no '{required}' clause")
            reads = Reads()
            scope = Scope(self.lets, self.lexicons)
            if decl.when is not None:
                type_ = self.checker.check(decl.when, scope)
                if type_.kind not in (t.Kind.BOOL, t.Kind.ANY):
                    self.sink.error(
                        decl.when.pos, f"'when' needs a true/false condition, but this is a {type_}"
                    )
                reads = analyse(decl.when, self.notes)
            for extra in decl.evidence:
                self.checker.check(extra, scope)
                _merge(reads, analyse(extra, self.notes))
                reads.exprs.setdefault(ast.unparse(extra), extra)
            available = set(reads.exprs)
            for symbol in reads.lets:
                available |= set(symbol.reads)
            self._check_messages(decl, available, require_both=True)
            checked.append((decl, reads))
        known = set(self.rules) | set(own)
        for located in self.tree.disables:
            if located.value not in known:
                self.sink.error(
                    located.pos,
                    f"disable of unknown rule '{located.value}'{did_you_mean(located.value, known)}",
                )
        return checked

    def _check_clause_counts(self, decl: ast.RuleDecl) -> None:
        seen: dict[str, int] = {}
        for clause in decl.clauses:
            if clause.value in _ONCE and clause.value in seen:
                self.sink.error(
                    clause.pos, f"duplicate '{clause.value.replace('_', ' ')}' clause in rule '{decl.id}'"
                )
            seen[clause.value] = clause.pos.line

    def _check_metadata(self, decl: ast.RuleDecl) -> None:
        for located, enum in ((decl.severity, Severity), (decl.category, Category)):
            if located is not None and located.value not in {m.value for m in enum}:
                hint = did_you_mean(located.value, [m.value for m in enum])
                kind = enum.__name__.lower()
                choices = " | ".join(m.value for m in enum)
                self.sink.error(located.pos, f"unknown {kind} '{located.value}'{hint} ({choices})")
        if decl.questions is not None:
            for question in decl.questions.value:
                parts = question.split(".")
                if not all(part.isdigit() for part in parts) or len(parts) > 2:
                    self.sink.error(
                        decl.questions.pos, f'\'{question}\' is not an FK question id (e.g. "17" or "33.2")'
                    )
        if decl.valid_from and decl.valid_to and decl.valid_from.value > decl.valid_to.value:
            self.sink.error(decl.valid_to.pos, "'valid to' is before 'valid from'")
        for example in decl.examples:
            if example.expect.value not in ("fires", "passes"):
                hint = did_you_mean(example.expect.value, ["fires", "passes"])
                self.sink.error(
                    example.expect.pos,
                    f"an example either 'fires' or 'passes', not '{example.expect.value}'{hint}",
                )

    def _check_messages(self, decl: ast.RuleDecl, available: set[str], *, require_both: bool) -> None:
        seen: set[str] = set()
        for message in decl.messages:
            lang = message.lang.value
            if lang not in _LANGS:
                self.sink.error(message.lang.pos, f"unknown message language '{lang}' (sv or en)")
                continue
            if lang in seen:
                self.sink.error(message.lang.pos, f"duplicate 'message {lang}' in rule '{decl.id}'")
            seen.add(lang)
            for text, pos in self._placeholders(message):
                try:
                    expr = parse_expression(text, self.label, origin=pos)
                except RulesetError as exc:
                    for diagnostic in exc.diagnostics:
                        self.sink.error(diagnostic.pos, diagnostic.message)
                    continue
                canonical = ast.unparse(expr)
                if canonical not in available:
                    hint = did_you_mean(canonical, available)
                    self.sink.error(
                        pos,
                        f"message names '{canonical}', which rule '{decl.id}' does not read{hint} "
                        "(a message may show only what the condition reads; "
                        "add it to an 'evidence [...]' clause)",
                    )
        if require_both:
            for lang in _LANGS:
                if lang not in seen:
                    self.sink.error(decl.pos, f"rule '{decl.id}' has no 'message {lang}'")

    def _placeholders(self, message: ast.Message) -> list[tuple[str, Pos]]:
        raw = self._raw_token(message.pos)
        try:
            parts = split(message.template)
        except TemplateSyntaxError as exc:
            column = message.pos.column + source_column(raw, exc.offset) if raw else message.pos.column
            self.sink.error(Pos(message.pos.line, column, message.pos.line, column + 1), str(exc))
            return []
        out: list[tuple[str, Pos]] = []
        for part in parts:
            if isinstance(part, str):
                continue
            text, offset = part
            column = message.pos.column + source_column(raw, offset) if raw else message.pos.column
            out.append((text, Pos(message.pos.line, column, message.pos.line, column + len(text))))
        return out

    def _raw_token(self, pos: Pos) -> str:
        if pos.line != pos.end_line or not 0 < pos.line <= len(self.sink.lines):
            return ""
        return self.sink.lines[pos.line - 1][pos.column - 1 : pos.end_column - 1]

    # ---- compiling ----

    def _analyse_let(self, symbol: LetSymbol) -> None:
        """What a let reads (needed before compiling, to check the messages of rules using it)."""
        reads = analyse(symbol.decl.expr, self.notes)
        symbol.reads = {text: node for sub in reads.lets for text, node in sub.reads.items()}
        symbol.reads.update(reads.exprs)
        paths = [ast.unparse(path) for path in reads.paths]
        for sub in reads.lets:
            paths.extend(p for p in sub.paths if p not in paths)
        symbol.paths = tuple(dict.fromkeys(paths))
        symbol.roots = frozenset(reads.roots).union(*(sub.roots for sub in reads.lets))
        symbol.path_questions = {ast.unparse(p): path_question(p, self.notes) for p in reads.paths}
        for sub in reads.lets:
            for key, value in sub.path_questions.items():
                symbol.path_questions.setdefault(key, value)
        symbol.text_match_nodes = tuple(reads.text_matches)
        self._let_reads[symbol.key] = reads

    def _compile_let(self, symbol: LetSymbol) -> None:
        self.compiler.owner = f"let {symbol.name}"
        symbol.closure = self.compiler.compile(symbol.decl.expr)
        symbol.annotations = self.notes
        symbol.closures = self.compiler.closures
        reads = self._let_reads[symbol.key]
        symbol.read_closures = {text: c for sub in reads.lets for text, c in sub.read_closures.items()}
        symbol.read_closures.update({text: self._closure(node) for text, node in reads.exprs.items()})
        own = tuple(self._text_match(call) for call in symbol.text_match_nodes)
        symbol.text_matches = own + tuple(match for sub in reads.lets for match in sub.text_matches)

    def _closure(self, node: ast.Expr) -> Closure:
        found = self.compiler.closures.get(id(node))
        return found if found is not None else self.compiler.compile(node)

    def _text_match(self, call: ast.Call) -> TextMatch:
        text_node, target = call.args
        resolved = self.notes.resolved.get(id(target))
        matcher = getattr(resolved, "lexicon", None) or getattr(resolved, "value", None)
        if isinstance(matcher, Lexicon):
            lexicon = matcher

            def search(text: str | None) -> tuple[int, int] | None:
                found = lexicon.search(text)
                return None if found is None else (found.start, found.end)

        else:
            assert isinstance(matcher, Regex)
            search = matcher.search
        return TextMatch(ast.unparse(text_node), self._closure(text_node), search)

    def _compile_rule(self, decl: ast.RuleDecl, reads: Reads) -> Rule:
        assert decl.when is not None and decl.severity and decl.category and decl.questions
        self.compiler.owner = decl.id
        condition = self.compiler.compile(decl.when)
        lets = reads.lets
        read_closures: dict[str, Closure] = {}
        for symbol in lets:
            read_closures.update(symbol.read_closures)
        for text, node in reads.exprs.items():
            read_closures[text] = self._closure(node)
        questions = tuple(decl.questions.value)
        path_questions: dict[str, str | None] = {}
        for path in reads.paths:
            path_questions.setdefault(ast.unparse(path), path_question(path, self.notes))
        for symbol in reads.lets:
            for key, value in symbol.path_questions.items():
                path_questions.setdefault(key, value)
        evidence = tuple(
            (path, read_closures.get(path) or self._path_closure(path, reads)) for path in path_questions
        )
        location = next((p for p, q in path_questions.items() if question_matches(q, questions)), None)
        if location is None and path_questions:
            location = next(iter(path_questions))
        text_matches = tuple(self._text_match(call) for call in reads.text_matches)
        text_matches += tuple(match for symbol in reads.lets for match in symbol.text_matches)
        roots_read = frozenset(reads.roots).union(*(symbol.roots for symbol in lets))
        messages = {message.lang.value: self._template(message, read_closures) for message in decl.messages}
        return Rule(
            id=decl.id,
            title=decl.title.value if decl.title else decl.id,
            severity=Severity(decl.severity.value),
            category=Category(decl.category.value),
            questions=questions,
            messages=messages,
            references=decl.references,
            valid_from=decl.valid_from.value if decl.valid_from else None,
            valid_to=decl.valid_to.value if decl.valid_to else None,
            tags=tuple(decl.tags.value) if decl.tags else (),
            condition=condition,
            condition_text=ast.unparse(decl.when),
            ruleset=self.name,
            file=self.label,
            line=decl.pos.line,
            reads=read_closures,
            evidence=evidence,
            location_path=location,
            text_matches=text_matches,
            roots=roots_read,
            examples=self._examples(decl),
            when=decl.when,
            annotations=self.notes,
            closures=self.compiler.closures,
        )

    def _path_closure(self, path: str, reads: Reads) -> Closure:
        for node in reads.paths:
            if ast.unparse(node) == path:
                return self._closure(node)
        raise KeyError(path)  # pragma: no cover - every path is a read expression

    def _template(self, message: ast.Message, closures: dict[str, Closure]) -> Template:
        parts: list[str | tuple[str, Closure]] = []
        for part in split(message.template):
            if isinstance(part, str):
                parts.append(part)
            else:
                canonical = ast.unparse(parse_expression(part[0], self.label, origin=message.pos))
                parts.append((canonical, closures[canonical]))
        return Template(message.template, tuple(parts))

    def _examples(self, decl: ast.RuleDecl) -> tuple[RuleExample, ...]:
        return tuple(
            self.examples.get(id(example)) or self._example(decl, example) for example in decl.examples
        )

    def _check_examples(self, decl: ast.RuleDecl) -> None:
        """Build each example's certificates now, so a broken example is a load-time error."""
        for example in decl.examples:
            self.examples[id(example)] = self._example(decl, example)

    def _example(self, decl: ast.RuleDecl, example: ast.Example) -> RuleExample:
        folder = self.path.parent
        certificate = None
        context: list[object] = []
        fixture_path = None
        label = f"example '{example.name}'"
        try:
            base = examples.base_data(folder)
            if example.fragment is not None:
                certificate = examples.build_certificate(base, example.fragment, f"{example.name}")
            for number, fragment in enumerate(example.context, start=1):
                if not isinstance(fragment, dict):
                    raise examples.ExampleError(f"context entry {number} must be a JSON object")
                context.append(examples.build_certificate(base, fragment, f"{example.name}#ctx{number}"))
        except (examples.ExampleError, OSError, ValueError) as exc:
            self.sink.error(example.pos, f"{label} is not a valid certificate: {exc}")
        if example.fixture is not None:
            fixture_path = examples.resolve_fixture(example.fixture, folder)
            if fixture_path is None:
                self.sink.error(example.pos, f"{label}: fixture '{example.fixture}' not found")
        return RuleExample(
            rule_id=decl.id,
            expect=example.expect.value,
            name=example.name,
            fragment=example.fragment,
            fixture=example.fixture,
            context=example.context,
            file=self.label,
            line=example.pos.line,
            certificate=certificate,
            context_certificates=tuple(context),
            fixture_path=fixture_path,
        )

    def _apply_override(self, decl: ast.RuleDecl) -> None:
        target = self.rules[decl.id]
        changes: dict[str, Any] = {}
        if decl.title:
            changes["title"] = decl.title.value
        if decl.severity:
            changes["severity"] = Severity(decl.severity.value)
        if decl.category:
            changes["category"] = Category(decl.category.value)
        if decl.questions:
            changes["questions"] = tuple(decl.questions.value)
        if decl.tags:
            changes["tags"] = tuple(decl.tags.value)
        if decl.references:
            changes["references"] = decl.references
        if decl.valid_from:
            changes["valid_from"] = decl.valid_from.value
        if decl.valid_to:
            changes["valid_to"] = decl.valid_to.value
        if decl.messages:
            messages = dict(target.messages)
            for message in decl.messages:
                messages[message.lang.value] = self._template(message, target.reads)
            changes["messages"] = messages
        if decl.examples:
            changes["examples"] = target.examples + self._examples(decl)
        self.rules[decl.id] = dataclasses.replace(target, **changes)


def _merge(into: Reads, other: Reads) -> None:
    for text, node in other.exprs.items():
        into.exprs.setdefault(text, node)
    into.paths.extend(p for p in other.paths if p not in into.paths)
    into.text_matches.extend(other.text_matches)
    into.roots |= other.roots
    into.lets.extend(s for s in other.lets if s not in into.lets)


__all__ = ["REVALIDATE_SECONDS", "clear_cache", "load_recent", "load_ruleset", "resolve", "shipped_names"]
