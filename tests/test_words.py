"""The offset-keeping lexers: Dockerfile words, key=value pairs, variable substitution and
the shell command lexer. Every token's offsets slice out exactly its raw text."""
from __future__ import annotations

import pytest

from hullguard.words import Command, Word, parse_key_values, pipelines, split_commands, split_words, substitute


def lexed(script: str, base: int = 0) -> list[Command]:
    commands = split_commands(script, base)
    for command in commands:
        for word in command.words:
            assert script[word.start - base : word.end - base] == word.raw
        for redirect in command.redirects:
            assert script[redirect.start - base : redirect.end - base].startswith(redirect.operator)
        if command.terminator:
            start = command.terminator_start - base
            assert script[start : start + len(command.terminator)] == command.terminator
    return commands


def raws(commands: list[Command]) -> list[list[str]]:
    return [[word.raw for word in command.words] for command in commands]


# --- Dockerfile words -----------------------------------------------------------------


def test_split_words_quotes_and_escapes_follow_buildkit():
    words = split_words('a "b c" \'d\\e\' "f\\"g" "h\\ni" j\\ k', base=10)
    assert [(w.raw, w.value) for w in words] == [
        ("a", "a"),
        ('"b c"', "b c"),
        ("'d\\e'", "d\\e"),  # single quotes: literal
        ('"f\\"g"', 'f"g'),  # escaped quote inside double quotes
        ('"h\\ni"', "h\\ni"),  # other escapes inside double quotes stay
        ("j\\ k", "j k"),  # unquoted: escapes any character
    ]
    assert (words[1].start, words[1].end) == (12, 17)


def test_split_words_with_backtick_escape_keeps_backslashes():
    words = split_words("C:\\app `\"x y`\" C:\\", escape="`")
    assert [w.value for w in words] == ["C:\\app", '"x', 'y"', "C:\\"]


def test_parse_key_values_offsets_exclude_quotes():
    text = 'A=1 B="two words" C'
    first, second, third = parse_key_values(text, base=4)
    assert (first.key, first.value, first.key_start, first.key_end) == ("A", "1", 4, 5)
    assert (second.value, text[second.value_start - 4 : second.value_end - 4]) == ("two words", "two words")
    assert (third.key, third.has_value) == ("C", False)
    [legacy] = parse_key_values("NAME some value", legacy_pairs=True)
    assert (legacy.key, legacy.value, legacy.value_start, legacy.value_end) == ("NAME", "some value", 5, 15)
    assert [p.key for p in parse_key_values("NAME", legacy_pairs=False)] == ["NAME"]


# --- substitution ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$A:${B}", ("a:b", True)),
        ("${A}x$A_", ("ax$A_", False)),  # $A_ is the variable A_
        ("${MISSING:-latest}", ("latest", True)),
        ("${EMPTY:-x}|${EMPTY-x}", ("x|", True)),
        ("${A:+set}|${MISSING:+set}", ("set|", True)),
        ("${MISSING:-${A}-${B}}", ("a-b", True)),
        ("${MISSING:-${ALSO_MISSING}}", ("${ALSO_MISSING}", False)),
        ("${A:?required}|${MISSING:?required}", ("a|${MISSING:?required}", False)),
        ("${A%%.*}", ("${A%%.*}", False)),  # pattern modifiers are not evaluated
        ("${A", ("${A", False)),
        ("cost $5 and $", ("cost $5 and $", True)),
    ],
)
def test_substitute(text, expected):
    assert substitute(text, {"A": "a", "B": "b", "EMPTY": ""}) == expected


def test_substitute_with_unknown_values_resolves_no_expression_of_them():
    variables = {"A": "a"}
    assert substitute("${ARCH:-amd64}", variables, {"ARCH"}) == ("${ARCH:-amd64}", False)
    assert substitute("x${ARCH:+-$ARCH}", variables, {"ARCH"}) == ("x${ARCH:+-$ARCH}", False)
    assert substitute("$ARCH/$A", variables, {"ARCH"}) == ("$ARCH/a", False)
    assert substitute("${A:-${ARCH}}", variables, {"ARCH"}) == ("a", True)
    assert substitute("${NONE:-${ARCH}}", variables, {"ARCH"}) == ("${ARCH}", False)


def test_substitute_gives_up_on_pathological_nesting():
    text = "${A:-" * 500 + "x" + "}" * 500
    assert substitute(text, {}) == (text, False)


# --- shell lexer ----------------------------------------------------------------------


def test_operators_and_terminator_offsets():
    script = "a 1 && b || c | d; e & f\ng"
    commands = lexed(script, base=100)
    assert raws(commands) == [["a", "1"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]
    assert [c.terminator for c in commands] == ["&&", "||", "|", ";", "&", "\n", ""]
    assert commands[0].terminator_start == 104
    assert commands[-1].terminator_start == -1
    assert (commands[1].words[0].start, commands[1].words[0].end) == (107, 108)


def test_quotes_escapes_and_substitutions_stay_one_word():
    script = "echo 'a b' \"c $HOME d\" e\\ f \"$(printf '%s' \"x y\")\" $(( 1 << 2 )) ${V:-a b} `date +%s` \"q\\nr\""
    [command] = lexed(script)
    assert [w.value for w in command.words] == [
        "echo", "a b", "c $HOME d", "e f", "$(printf '%s' \"x y\")", "$(( 1 << 2 ))", "${V:-a b}", "`date +%s`", "q\\nr",
    ]


def test_comments_and_backslash_newline():
    script = "apt-get update \\\n  && apt-get install -y curl # trailing comment && rm\n# whole line\necho done"
    commands = lexed(script)
    assert raws(commands) == [["apt-get", "update"], ["apt-get", "install", "-y", "curl"], ["echo", "done"]]
    assert commands[1].words[0].start == script.index("apt-get install")
    assert [word.value for word in split_commands("ab\\\ncd")[0].words] == ["abcd"]
    assert raws(lexed("echo a#b")) == [["echo", "a#b"]]


def test_redirections_are_not_words():
    commands = lexed("curl -fsSL url 2>&1 >/dev/null | tee log &>all; cat <in >>out 3<&0 x>|y")
    assert raws(commands) == [["curl", "-fsSL", "url"], ["tee", "log"], ["cat", "x"]]
    assert [(r.operator, r.target.value) for r in commands[0].redirects] == [("2>&", "1"), (">", "/dev/null")]
    assert [(r.operator, r.target.value) for r in commands[1].redirects] == [("&>", "all")]
    assert [(r.operator, r.target.value) for r in commands[2].redirects] == [("<", "in"), (">>", "out"), ("3<&", "0"), (">|", "y")]
    assert commands[0].terminator == "|"
    redirect = commands[0].redirects[1]
    assert (redirect.start, redirect.end) == (20, 30)


def test_here_document_bodies_are_skipped():
    script = "cat > /etc/app.conf <<CONF\nkey=value\napt-get install foo\nCONF\necho done\ncat <<-'X'\n\tnot a command\n\tX\nls"
    commands = lexed(script)
    assert raws(commands) == [["cat"], ["echo", "done"], ["cat"], ["ls"]]
    heredoc = commands[0].redirects[1]
    assert (heredoc.operator, heredoc.target.raw, heredoc.target.value) == ("<<", "CONF", "CONF")
    assert commands[2].redirects[0].target.value == "X"
    assert commands[3].words[0].start == script.index("ls")


def test_process_substitution_is_a_word():
    [command] = lexed("diff <(sort a) <(sort b)")
    assert [w.raw for w in command.words] == ["diff", "<(sort a)", "<(sort b)"]


def test_subshells_and_groups():
    commands = lexed("(cd /x && make) || { echo failed; exit 1; }")
    assert raws(commands) == [["cd", "/x"], ["make"], ["{", "echo", "failed"], ["exit", "1"], ["}"]]
    assert commands[2].name == "echo"


def test_command_name_skips_assignments_wrappers_and_reserved_words():
    assert split_commands("DEBIAN_FRONTEND=noninteractive apt-get install -y x")[0].name == "apt-get"
    assert split_commands("sudo -u postgres -H psql -c 'select 1'")[0].name == "psql"
    assert split_commands("env -u HOME A=1 /usr/bin/pip install x")[0].name == "pip"
    assert split_commands("nice -n 10 nohup make")[0].name == "make"
    assert [c.name for c in split_commands("if curl -f x; then apt-get update; fi")] == ["curl", "apt-get", "fi"]
    assert split_commands("while read l; do echo $l; done")[1].name == "echo"
    assert split_commands("! grep -q x f")[0].name == "grep"
    command = split_commands("sudo -u app env X=1 make install")[0]
    program = command.arguments_from_program()
    assert [w.value for w in program] == ["make", "install"]
    assert program == command.words[-2:]  # a suffix of the words
    assert split_commands("sudo")[0].name == ""


def test_pipelines_group_commands_joined_by_pipes():
    commands = split_commands("curl -s x | tar xz |& cat && echo ok | wc -l; ls")
    groups = pipelines(commands)
    assert [[c.name for c in group] for group in groups] == [["curl", "tar", "cat"], ["echo", "wc"], ["ls"]]


def test_unterminated_quotes_and_substitutions_end_at_the_text_end():
    [command] = lexed("echo \"abc $(date")
    assert command.words[1] == Word('"abc $(date', "abc $(date", 5, 16)
    assert raws(lexed("echo 'x")) == [["echo", "'x"]]
