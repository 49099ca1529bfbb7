"""What the docs tell an admin to type or paste must work as shown.

Users copy the command lines of README.md and contrib/*.md, the TOML
snippets of README.md, and DESIGN.md's command-line synopsis (which SIEM
integrations and scripts rely on), far more than they read --help. A renamed
option, a sink key or a config key that changed, an operator the expression
language lost: each leaves the docs wrong with no test failing but this one.

Each `bouncewatch` command line in a code block is run through the real
argument parser; its ``--where`` is compiled, its ``--format`` looked up, its
``--sink`` URIs checked as ``check-config`` checks them (secret files the
example names are made in a temporary folder, since they are the admin's);
an ``explain`` of a literal text is run. Each TOML snippet is loaded: a rule
by the rule loader, the others as a config file by ``check-config``'s code.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from bouncewatch.plugin import cli
from bouncewatch.plugin.classify.engine import Classifier
from bouncewatch.plugin.config import check_rules, check_sinks, parse_config
from bouncewatch.plugin.formats import FORMATS, get_format
from bouncewatch.plugin.sinks import check_sink, scheme_of

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT.parent / "shared" / "DESIGN.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "contrib").glob("*/*.md"))]
_FENCE = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```", re.M | re.S)


_SEPARATORS = ("|", "||", "&&", ";", "&")
_REDIRECTIONS = ("<", ">", ">>")


def code_blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line number of its first line, language, text) of each fenced block of ``path``."""
    text = path.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m[1], m[2]) for m in _FENCE.finditer(text)]


def command_lines(path: Path) -> list[tuple[str, list[str]]]:
    """``("FILE:LINE", arguments)`` of every bouncewatch command in a code
    block of ``path``: continuation lines joined, comments, pipes and
    redirections taken off; also where a config runs it
    (master.cf's ``argv=/usr/local/bin/bouncewatch``). Outside ``sh``
    blocks only a word that a subcommand follows is taken for the program
    (master.cf's service is named bouncewatch too)."""
    subcommands = set(cli.build_parser()._subparsers._group_actions[0].choices)
    found = []
    for first, lang, block in code_blocks(path):
        lines = block.split("\n")
        i = 0
        while i < len(lines):
            start, line = i, lines[i]
            while line.endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + " " + lines[i]
            i += 1
            if not re.search(r"(?:^|[\s=/])bouncewatch\s", line):
                continue
            lex = shlex.shlex(line, posix=True, punctuation_chars=True)
            lex.whitespace_split, lex.commenters = True, "#"
            try:
                tokens = list(lex)
            except ValueError:  # not a shell line
                continue
            for k, tok in enumerate(tokens):
                program = re.fullmatch(r"(?:\S*/)?bouncewatch", tok) and (k == 0 or tokens[k - 1] in _SEPARATORS)
                if not (program or re.fullmatch(r"argv=\S*/bouncewatch", tok)):
                    continue
                args = []
                for t in tokens[k + 1:]:
                    if t in _SEPARATORS or t in _REDIRECTIONS:
                        break
                    args.append(t)
                if lang == "sh" or args[:1] and args[0] in subcommands:
                    found.append((f"{path.relative_to(ROOT)}:{first + start}", args))
    return found


def doc_commands() -> list[tuple[str, list[str]]]:
    return [c for doc in DOCS for c in command_lines(doc)]


def test_the_docs_show_commands():
    """The extraction finds what README shows (a test that found none would pass)."""
    cmds = {args[0] for _, args in doc_commands() if args}
    assert {"parse", "explain", "follow", "run", "check-config", "ingest-mail",
            "report", "suppressions"} <= cmds
    assert len(doc_commands()) >= 25


@pytest.fixture
def secrets(tmp_path, monkeypatch):
    """The files and variables README's sink examples name: the admin's own,
    made here so that what is checked is the URI's syntax and keys."""
    from sink_helpers import make_pki
    pki = make_pki(tmp_path)
    (tmp_path / "siem-ca.pem").write_bytes(pki["ca"].read_bytes())
    (tmp_path / "hec.token").write_text("00000000-0000-0000-0000-000000000000\n")
    monkeypatch.setenv("ES_API_KEY", "c2VjcmV0")
    return tmp_path


def _local(value: str, secrets: Path) -> str:
    """An example's paths under /etc/bouncewatch and /var/log, moved into ``secrets``."""
    return value.replace("/etc/bouncewatch/", f"{secrets}/").replace("/var/log/", f"{secrets}/log/")


def _third_party_schemes() -> set[str]:
    """URI schemes the contrib plugins register (entry-point group bouncewatch.sinks)."""
    schemes = set()
    for pp in (ROOT / "contrib").glob("*/pyproject.toml"):
        doc = tomllib.loads(pp.read_text(encoding="utf-8"))
        schemes |= set(doc.get("project", {}).get("entry-points", {}).get("bouncewatch.sinks", {}))
    return schemes


@pytest.mark.parametrize("where,args", doc_commands(), ids=lambda x: x if isinstance(x, str) else None)
def test_doc_command_is_accepted(where, args, secrets, capsys):
    try:
        ns = cli.parse_argv(args)
    except SystemExit:
        pytest.fail(f"{where}: bouncewatch {shlex.join(args)}: refused: {capsys.readouterr().err}")
    if getattr(ns, "where", None):
        cli.compile_where(ns.where)
    if ns.command == "parse":
        get_format(ns.format)
    for uri in getattr(ns, "sink", []):
        if scheme_of(uri) in _third_party_schemes():
            continue  # checked by its own plugin, not installed here
        check_sink(_local(uri, secrets), state_dir=str(secrets / "state"))
    if ns.command == "explain" and ns.text != "-":
        assert cli.main(args) == 0, f"{where}: {capsys.readouterr().err}"


def _toml_snippets() -> list[tuple[str, str]]:
    doc = ROOT / "README.md"
    return [(f"README.md:{line}", text) for line, lang, text in code_blocks(doc) if lang == "toml"]


def test_readme_has_toml_snippets():
    assert len(_toml_snippets()) >= 3


@pytest.mark.parametrize("where,text", _toml_snippets(), ids=lambda x: x if x.startswith("README") else None)
def test_readme_toml_snippet_loads(where, text, tmp_path, secrets):
    if "[[rule]]" in text:
        rules = tmp_path / "rules.d"
        rules.mkdir()
        (rules / "example.toml").write_text(text, encoding="utf-8")
        Classifier.load([rules], cache_dir=tmp_path / "cache")
        return
    # a config snippet: the folders it names are the admin's, and it may
    # show other tables than [[sink]], which a whole config needs
    for d in re.findall(r'"(/[^"]+)"', text):
        if d.endswith(".d") or d.endswith("rules.d"):
            (secrets / Path(d).name).mkdir(exist_ok=True)
    text = re.sub(r'"/etc/bouncewatch/([^"]*)"', lambda m: f'"{secrets}/{m[1]}"', text)
    text = _local(text, secrets)
    if not re.search(r"^\[\[sink\]\]", text, re.M):
        text += '\n[[sink]]\nuri = "-"\n'
    path = tmp_path / "bouncewatch.toml"
    path.write_text(text, encoding="utf-8")
    cfg = parse_config(text, str(path))
    check_sinks(cfg)
    check_rules(cfg)


# -- DESIGN.md's command line: "stable; tests and docs rely on it" ----------------------------

def _synopsis() -> list[tuple[str, str]]:
    if not DESIGN.is_file():
        pytest.skip(f"DESIGN.md not found at {DESIGN} (it lives beside the project in shared/)")
    blocks = [b for _, _, b in code_blocks(DESIGN) if b.lstrip().startswith("bouncewatch ")]
    assert blocks, "DESIGN.md's command-line block not found"
    out, cmd = [], None
    for line in blocks[0].split("\n"):
        line = line.split("#", 1)[0]
        m = re.match(r"bouncewatch ([a-z-]+)", line)
        if m:
            cmd = m[1]
        if cmd and line.strip():
            out.append((cmd, line))
    return out


def _options(command: str) -> dict[str, object]:
    sub = cli.build_parser(command)._subparsers._group_actions[0].choices[command]
    return {o: a for a in sub._actions for o in a.option_strings} | {
        a.dest: a for a in sub._actions if not a.option_strings}


def test_design_synopsis_options_exist():
    commands = {cmd for cmd, _ in _synopsis()}
    assert commands == {"parse", "explain", "follow", "run", "ingest-mail", "report",
                        "suppressions", "check-config"}
    for cmd, line in _synopsis():
        opts = _options(cmd)
        for flag in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line):
            assert flag in opts, f"DESIGN.md: bouncewatch {cmd} {flag}: no such option"


def test_design_synopsis_values_are_accepted(capsys):
    """``--mta auto|postfix|...``, ``--format json|...`` and the suppressions
    actions: each value the synopsis lists is taken."""
    seen = 0
    for cmd, line in _synopsis():
        for flag, values in re.findall(r"(--[a-z-]+) ([a-z]+(?:\|[a-z]+)+)", line):
            for v in values.split("|"):
                args = [cmd, flag, v] + (["list", "--state-dir", "/tmp/x"] if cmd == "suppressions" else [])
                try:
                    ns = cli.parse_argv(args)
                except SystemExit:
                    pytest.fail(f"DESIGN.md: bouncewatch {shlex.join(args)}: {capsys.readouterr().err}")
                if flag == "--format" and cmd != "suppressions":
                    get_format(ns.format)
                seen += 1
        m = re.match(r"bouncewatch suppressions ([a-z]+(?:\|[a-z]+)+)", line)
        if m:
            assert set(m[1].split("|")) == set(_options("suppressions")["action"].choices)
            seen += 1
    assert seen >= 12  # --mta 4, --format 5 and 2, the suppressions actions


def test_design_sink_uris_are_known(secrets):
    """The sink URI forms DESIGN.md lists, with each ``?format=`` it names."""
    if not DESIGN.is_file():
        pytest.skip(f"DESIGN.md not found at {DESIGN}")
    m = re.search(r"Sink URIs:(.*?)\.\n", DESIGN.read_text(encoding="utf-8"), re.S)
    assert m, "DESIGN.md's list of sink URIs not found"
    forms = re.findall(r"`([^`]+)`", m[1])
    assert "-" in forms and "file:PATH" in forms
    fill = {"PATH": str(secrets / "events.jsonl"), "HOST": "siem.example.net", "PORT": "6514",
            "...": "siem.example.net:6514"}
    checked = 0
    for form in forms:
        if form.startswith("?format="):
            assert set(form[len("?format="):].split("|")) == set(FORMATS)
            continue
        uri = re.sub(r"PATH|HOST|PORT|\.\.\.", lambda m: fill[m[0]], form)
        for fmt in FORMATS:
            check_sink(f"{uri}?format={fmt}", state_dir=str(secrets / "state"))
        checked += 1
    assert checked == 8, forms
