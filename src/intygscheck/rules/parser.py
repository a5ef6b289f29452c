"""Ruleset text → syntax tree (:mod:`.ast`), every node with its line and column.

The Lark LALR parser is built once per process from ``grammars/rules.lark``. Syntax errors
become :class:`~.errors.RulesetError` with the position and what was expected there.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .._resources import data_dir
from . import ast
from .ast import Pos
from .errors import DiagnosticSink

_KEYWORD_NAMES = {
    "STRING": "a string",
    "NAME": "a name",
    "NUMBER": "a number",
    "SIGNED_NUMBER": "a number",
    "DATE": "a date",
    "DURATION_UNIT": "a duration unit",
    "COMP_OP": "a comparison",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "COLON": "':'",
    "DOT": "'.'",
    "EQUAL": "'='",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "$END": "end of file",
}


@cache
def _parser() -> Lark:
    grammar = (data_dir("grammars") / "rules.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=["start", "expression"],
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse_ruleset(text: str, file: str) -> ast.RulesetFile:
    """Parse a whole ruleset file; raises :class:`~.errors.RulesetError` on a syntax error."""
    tree = _parse(text, file, "start")
    builder = _Builder(file, text)
    result = builder.ruleset(tree)
    builder.sink.raise_if_any()
    return result


def parse_expression(text: str, file: str, origin: Pos | None = None) -> ast.Expr:
    """Parse one expression (a message placeholder); positions are shifted to ``origin``."""
    tree = _parse(text, file, "expression", origin)
    builder = _Builder(file, text, origin)
    expr = builder.expr(tree.children[0])
    builder.sink.raise_if_any()
    return expr


def _parse(text: str, file: str, start: str, origin: Pos | None = None) -> Tree[Token]:
    try:
        return _parser().parse(text, start=start)
    except UnexpectedInput as exc:
        sink = DiagnosticSink(file, text)
        line, column = exc.line, exc.column
        if isinstance(exc, UnexpectedEOF) or line < 1:
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        message = _syntax_message(exc)
        if origin is not None:  # an expression inside a string: report inside the file
            raise _shifted_error(file, origin, message) from None
        sink.error(Pos(line, column, line, column + _token_width(exc)), message)
        sink.raise_if_any()
        raise AssertionError("unreachable") from None


def _shifted_error(file: str, origin: Pos, message: str) -> Exception:
    from .errors import Diagnostic, RulesetError

    return RulesetError([Diagnostic(file, origin, message)])


def _token_width(exc: UnexpectedInput) -> int:
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return max(len(str(exc.token)), 1)
    return 1


def _syntax_message(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedCharacters):
        return f"syntax error: unexpected character {exc.char!r}"
    if isinstance(exc, UnexpectedToken):
        expected = sorted({_describe(name) for name in exc.expected if not name.startswith("__")})
        found = "end of file" if exc.token.type == "$END" else repr(str(exc.token))
        listing = ", ".join(expected[:8]) + (", ..." if len(expected) > 8 else "")
        return f"syntax error: unexpected {found}; expected {listing}"
    return "syntax error: unexpected end of file"


def _describe(terminal: str) -> str:
    if terminal in _KEYWORD_NAMES:
        return _KEYWORD_NAMES[terminal]
    try:
        pattern = _parser().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    if pattern.type == "str":
        return f"'{pattern.value}'"
    return terminal.lower()


class _Builder:
    """Turns the Lark parse tree into :mod:`.ast` nodes."""

    def __init__(self, file: str, text: str, origin: Pos | None = None) -> None:
        self.file = file
        self.text = text
        self.origin = origin
        self.sink = DiagnosticSink(file, text)

    def date(self, token: Tree[Token] | Token) -> date:
        try:
            return date.fromisoformat(str(token))
        except ValueError:
            assert isinstance(token, Token)
            self.sink.error(self.pos(token), f"invalid date {str(token)!r}")
            return date.min

    # ---- positions ----

    def pos(self, item: Tree[Token] | Token) -> Pos:
        if isinstance(item, Token):
            line, column = item.line or 0, item.column or 0
            end_line, end_column = item.end_line or line, item.end_column or column
        else:
            meta = item.meta
            if meta.empty:
                return ast.NOWHERE if self.origin is None else self.origin
            line, column, end_line, end_column = meta.line, meta.column, meta.end_line, meta.end_column
        if self.origin is not None:
            # expression text is a placeholder inside a message string on one line
            shift = self.origin.column - 1
            line = end_line = self.origin.line
            column, end_column = column + shift, end_column + shift
        return Pos(line, column, end_line, end_column)

    # ---- file ----

    def ruleset(self, tree: Tree[Token]) -> ast.RulesetFile:
        name: ast.Located | None = None
        version = description = None
        extends: list[ast.Located] = []
        imports: list[ast.Located] = []
        lexicons: list[ast.LexiconDecl] = []
        lets: list[ast.LetDecl] = []
        rules: list[ast.RuleDecl] = []
        disables: list[ast.Located] = []
        for item in tree.children:
            assert isinstance(item, Tree)
            kind = item.data
            children = item.children
            if kind == "ruleset_decl":
                name = ast.Located(_string(children[0]), self.pos(children[0]))
                version = _string(children[1]) if len(children) > 1 else None
            elif kind == "description":
                description = _string(children[0])
            elif kind == "extends":
                extends.append(ast.Located(_string(children[0]), self.pos(children[0])))
            elif kind == "import_":
                imports.append(ast.Located(_string(children[0]), self.pos(children[0])))
            elif kind == "lexicon":
                entries = tuple(ast.Located(_string(tok), self.pos(tok)) for tok in children[1:])
                lexicons.append(ast.LexiconDecl(str(children[0]), entries, self.pos(children[0])))
            elif kind == "let":
                lets.append(ast.LetDecl(str(children[0]), self.expr(children[1]), self.pos(children[0])))
            elif kind in ("rule", "override"):
                rules.append(self.rule(item, override=kind == "override"))
            elif kind == "disable":
                disables.extend(ast.Located(_string(tok), self.pos(tok)) for tok in children)
        return ast.RulesetFile(
            name=name,
            version=version,
            description=description,
            extends=tuple(extends),
            imports=tuple(imports),
            lexicons=tuple(lexicons),
            lets=tuple(lets),
            rules=tuple(rules),
            disables=tuple(disables),
        )

    def rule(self, tree: Tree[Token], *, override: bool) -> ast.RuleDecl:
        id_token = tree.children[0]
        fields: dict[str, Any] = {}
        messages: list[ast.Message] = []
        references: list[str] = []
        evidence: list[ast.Expr] = []
        examples: list[ast.Example] = []
        clauses: list[ast.Located] = []
        for clause in tree.children[1:]:
            assert isinstance(clause, Tree)
            kind = clause.data
            args = clause.children
            position = self.pos(clause)
            clauses.append(ast.Located(str(kind), position))
            if kind == "title":
                fields["title"] = ast.Located(_string(args[0]), self.pos(args[0]))
            elif kind in ("severity", "category"):
                fields[str(kind)] = ast.Located(str(args[0]), self.pos(args[0]))
            elif kind in ("questions", "tags"):
                fields[str(kind)] = ast.Located(self.string_list(args[0]), self.pos(args[0]))
            elif kind == "when":
                fields["when"] = self.expr(args[0])
            elif kind == "message":
                lang = ast.Located(str(args[0]), self.pos(args[0]))
                messages.append(ast.Message(lang, _string(args[1]), self.pos(args[1])))
            elif kind == "reference":
                references.append(_string(args[0]))
            elif kind == "valid_from":
                fields["valid_from"] = ast.Located(self.date(args[0]), self.pos(args[0]))
                if len(args) > 1:
                    fields["valid_to"] = ast.Located(self.date(args[1]), self.pos(args[1]))
            elif kind == "valid_to":
                fields["valid_to"] = ast.Located(self.date(args[0]), self.pos(args[0]))
            elif kind == "evidence":
                evidence.extend(self.expr(arg) for arg in args)
            elif kind == "example":
                examples.append(self.example(clause))
        return ast.RuleDecl(
            id=_string(id_token),
            override=override,
            pos=self.pos(id_token),
            messages=tuple(messages),
            references=tuple(references),
            evidence=tuple(evidence),
            examples=tuple(examples),
            clauses=tuple(clauses),
            **fields,
        )

    def example(self, tree: Tree[Token]) -> ast.Example:
        expect_token, name_token, source = tree.children[:3]
        assert isinstance(source, Tree)
        context: tuple[dict[str, Any], ...] = ()
        if len(tree.children) > 3:
            context_tree = tree.children[3]
            assert isinstance(context_tree, Tree)
            values = self.json(context_tree.children[0])
            context = tuple(values)
        fragment = fixture = None
        if source.data == "example_inline":
            fragment = self.json(source.children[0])
        else:
            fixture = _string(source.children[0])
        return ast.Example(
            expect=ast.Located(str(expect_token), self.pos(expect_token)),
            name=_string(name_token),
            fragment=fragment,
            fixture=fixture,
            context=context,
            pos=self.pos(tree),
        )

    def string_list(self, tree: Tree[Token] | Token) -> tuple[str, ...]:
        assert isinstance(tree, Tree)
        return tuple(_string(tok) for tok in tree.children)

    def json(self, node: Tree[Token] | Token) -> Any:
        assert isinstance(node, Tree)
        kind = node.data
        if kind == "json_object":
            pairs = [pair for pair in node.children if isinstance(pair, Tree)]
            return {_string(pair.children[0]): self.json(pair.children[1]) for pair in pairs}
        if kind == "json_array":
            return [self.json(child) for child in node.children]
        if kind == "json_string":
            return _string(node.children[0])
        if kind == "json_number":
            return json.loads(str(node.children[0]))
        return {"json_true": True, "json_false": False, "json_null": None}[str(kind)]

    # ---- expressions ----

    def expr(self, node: Tree[Token] | Token) -> ast.Expr:
        if isinstance(node, Token):  # pragma: no cover - the grammar wraps every token
            raise TypeError(f"unexpected token {node!r}")
        kind = str(node.data)
        args = node.children
        pos = self.pos(node)
        if kind == "number":
            return ast.Literal(pos, _number(args[0]))
        if kind == "duration":
            return ast.Literal(pos, _duration(args[0], args[1]))
        if kind == "string":
            return ast.Literal(pos, _string(args[0]))
        if kind == "date":
            return ast.Literal(pos, self.date(args[0]))
        if kind in ("true", "false", "null"):
            return ast.Literal(pos, {"true": True, "false": False, "null": None}[kind])
        if kind == "list":
            return ast.ListLit(pos, tuple(self.expr(child) for child in args))
        if kind == "name":
            return ast.Name(pos, str(args[0]))
        if kind == "attr":
            return ast.Attr(pos, self.expr(args[0]), str(args[1]), self.pos(args[1]))
        if kind == "index":
            return ast.Index(pos, self.expr(args[0]), self.expr(args[1]))
        if kind == "call":
            return ast.Call(pos, str(args[0]), tuple(self.expr(child) for child in args[1:]))
        if kind == "lambda_":
            return ast.Lambda(pos, str(args[0]), self.expr(args[1]))
        if kind == "neg":
            return ast.Unary(pos, "-", self.expr(args[1]))
        if kind == "not_":
            return ast.Unary(pos, "not", self.expr(args[0]))
        if kind in ("or_", "and_"):
            op = kind.rstrip("_")
            operands: list[ast.Expr] = []
            for child in args:
                sub = self.expr(child)
                if isinstance(sub, ast.BoolOp) and sub.op == op:
                    operands.extend(sub.operands)
                else:
                    operands.append(sub)
            return ast.BoolOp(pos, op, tuple(operands))
        if kind in ("compare", "arith"):
            return ast.Binary(pos, str(args[1]), self.expr(args[0]), self.expr(args[2]))
        if kind == "in_":
            return ast.Binary(pos, "in", self.expr(args[0]), self.expr(args[1]))
        if kind == "not_in":
            return ast.Binary(pos, "not in", self.expr(args[0]), self.expr(args[1]))
        if kind == "contains":
            return ast.Binary(pos, "contains", self.expr(args[0]), self.expr(args[1]))
        if kind == "coalesce":
            return ast.Binary(pos, "??", self.expr(args[0]), self.expr(args[1]))
        raise TypeError(f"unknown expression node {kind!r}")  # pragma: no cover


def _string(token: Tree[Token] | Token) -> str:
    return str(json.loads(str(token)))


def _number(token: Tree[Token] | Token) -> int | float:
    text = str(token)
    return float(text) if "." in text else int(text)


def _duration(amount: Tree[Token] | Token, unit: Tree[Token] | Token) -> ast.Duration:
    value = int(float(str(amount)))
    name = str(unit)
    if name.startswith("day"):
        return ast.Duration(days=value)
    if name.startswith("week"):
        return ast.Duration(days=7 * value)
    return ast.Duration(months=value)
