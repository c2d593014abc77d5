"""The Dockerfile document model: instruction boundaries, logical text and exact spans.

The grouping rules follow BuildKit's parser:
- a line ending in the escape character (optionally followed by spaces or tabs, and not
  itself escaped) continues; comment and blank lines inside a continuation are skipped;
- parser directives (syntax, escape, check; keys case-insensitive) are read from the
  leading comment lines only; an unknown key, a plain comment, a blank line or an
  instruction ends them, and a key may appear once;
- a word ``[fd]<<[-]NAME`` of RUN/COPY/ADD (not in JSON form) starts a here-document whose
  body follows the instruction's last line, up to a line equal to NAME (tabs stripped for
  ``<<-``); quotes around NAME are removed.
"""
from __future__ import annotations

import pytest

from hullguard.dockerfile import WINDOWS_SHELL, DockerfileError, ImageRef, SourceMap, parse_dockerfile
from hullguard.documents import load_document
from hullguard.model import Format
from hullguard.text import Position, SourceText, Span


def parse(text: str):
    return parse_dockerfile(SourceText(text))


def on(line: int, start: int, end: int) -> Span:
    return Span.on_line(line, start, end)


def error_of(text: str) -> DockerfileError:
    with pytest.raises(DockerfileError) as caught:
        parse(text)
    return caught.value


def word(instruction, raw: str):
    return next(w for w in instruction.words if w.raw == raw)


# --- 1. line continuations ------------------------------------------------------------


def test_continuation_skips_comment_and_blank_lines_and_goes_on():
    dockerfile = parse("FROM alpine:3.20\nRUN apk add \\\n# a comment\n\n    curl \\\n  && echo done\nUSER app\n")
    run, user = dockerfile.instructions[1], dockerfile.instructions[2]
    assert (run.start_line, run.end_line) == (1, 5)
    assert run.text == "RUN apk add     curl   && echo done"
    assert run.keyword_span == on(1, 0, 3)
    assert run.span(run.text.index("curl"), run.text.index("curl") + 4) == on(4, 4, 8)
    assert run.whole_span == Span(Position(1, 0), Position(5, 14))
    assert (user.start_line, user.end_line) == (6, 6)
    assert [(c.line, c.text, c.column) for c in dockerfile.comments] == [(2, "a comment", 0)]
    commands = run.scripts[0].commands
    assert [c.values() for c in commands] == [["apk", "add", "curl"], ["echo", "done"]]
    assert run.scripts[0].word_span(commands[0].words[2]) == on(4, 4, 8)
    assert run.scripts[0].span(commands[0].terminator_start, commands[0].terminator_start + 2) == on(5, 2, 4)


def test_span_ending_at_a_continuation_boundary_stays_on_its_line():
    run = parse("FROM a\nRUN echo one \\\n  two\n").instructions[1]
    assert run.text == "RUN echo one   two"
    boundary = len("RUN echo one ")
    assert run.span(4, boundary) == on(1, 4, 13)  # not (2, 0)
    assert run.span(boundary, boundary + 2) == on(2, 0, 2)
    assert run.span(9, run.text.index("two") + 3) == Span(Position(1, 9), Position(2, 5))
    assert run.span(boundary, boundary) == Span(Position(2, 0), Position(2, 0))


def test_source_map_positions_at_segment_boundaries():
    source_map = SourceMap()
    source_map.add(0, Position(3, 0), 5)
    source_map.add(5, Position(4, 2), 0)  # an empty piece (a line holding only the escape)
    source_map.add(5, Position(5, 1), 4)
    assert source_map.span(0, 5) == Span(Position(3, 0), Position(3, 5))
    assert source_map.span(5, 9) == Span(Position(5, 1), Position(5, 5))
    assert source_map.position(5) == Position(5, 1)
    assert source_map.position(5, is_end=True) == Position(3, 5)
    assert source_map.position(99, is_end=True) == Position(5, 5)  # clamped to the last piece


def test_escape_followed_by_trailing_spaces_continues_but_an_escaped_escape_does_not():
    dockerfile = parse("FROM a\nRUN echo a \\  \t\n  b\nCOPY x C:\\\\\nUSER app\n")
    run, copy, user = dockerfile.instructions[1:]
    assert (run.start_line, run.end_line, run.text) == (1, 2, "RUN echo a   b")
    assert (copy.start_line, copy.end_line) == (3, 3)
    assert copy.words[-1].value == "C:\\"
    assert user.start_line == 4


def test_continuation_at_end_of_file():
    run = parse("FROM a\nRUN echo \\\n\n# trailing\n").instructions[1]
    assert (run.start_line, run.end_line, run.text) == (1, 1, "RUN echo ")


def test_continuation_joins_the_next_instruction_like_buildkit():
    dockerfile = parse("FROM a\nRUN echo \\\n\nUSER app\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN"]
    assert dockerfile.instructions[1].text == "RUN echo USER app"
    assert dockerfile.instructions[1].end_line == 3


# --- 2. parser directives -------------------------------------------------------------


def test_directives_with_backtick_escape_and_windows_paths():
    text = (
        "# syntax=docker/dockerfile:1\n"
        "# escape=`\n"
        "# check=skip=JSONArgsRecommended\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "COPY C:\\app\\ C:\\dest\n"
        "RUN dir C:\\ && `\n"
        "    echo done\n"
        "USER ContainerUser\n"
    )
    dockerfile = parse(text)
    assert dockerfile.directives == {"syntax": "docker/dockerfile:1", "escape": "`", "check": "skip=JSONArgsRecommended"}
    assert dockerfile.escape == "`"
    copy, run, user = dockerfile.instructions[1:]
    assert [w.value for w in copy.words] == ["C:\\app\\", "C:\\dest"]
    assert copy.span(copy.words[0].start, copy.words[0].end) == on(4, 5, 12)
    assert (run.start_line, run.end_line) == (5, 6)
    assert run.text == "RUN dir C:\\ &&     echo done"
    assert run.span(run.text.index("echo"), run.text.index("echo") + 4) == on(6, 4, 8)
    assert user.start_line == 7
    assert run.shell == ("cmd", "/S", "/C")  # a Windows base: cmd, not POSIX shell
    assert run.scripts == []
    assert [c.line for c in dockerfile.comments] == [0, 1, 2]


def test_directive_keys_are_case_insensitive_and_may_be_indented():
    dockerfile = parse("  # ESCAPE = `\n#Syntax=docker/dockerfile:1.7\nFROM a\nRUN echo `\n  hi\n")
    assert dockerfile.directives == {"escape": "`", "syntax": "docker/dockerfile:1.7"}
    assert dockerfile.instructions[1].text == "RUN echo   hi"


@pytest.mark.parametrize(
    "prefix",
    [
        "# a plain comment\n",  # a comment first
        "\n",  # a blank line first
        "# foo=bar\n",  # an unknown key ends the directives too
        "#!/usr/bin/env docker-build\n",  # a shebang
    ],
)
def test_directive_after_a_comment_or_blank_line_is_a_comment(prefix):
    dockerfile = parse(prefix + "# escape=`\nFROM a\nRUN echo \\\n  hi\n")
    assert dockerfile.directives == {}
    assert dockerfile.escape == "\\"
    assert dockerfile.instructions[1].text == "RUN echo   hi"
    assert "escape=`" in [c.text for c in dockerfile.comments]


def test_directive_after_an_instruction_is_a_comment():
    dockerfile = parse("FROM a\n# escape=`\nRUN echo \\\n  hi\n")
    assert dockerfile.directives == {}
    assert dockerfile.instructions[1].text == "RUN echo   hi"


def test_repeated_directive_and_bad_escape_are_errors():
    error = error_of("# escape=`\n# escape=\\\nFROM a\n")
    assert str(error) == "only one escape parser directive can be used"
    assert error.span == on(1, 0, 10)
    error = error_of("# escape=x\nFROM a\n")
    assert str(error) == "invalid escape directive 'x': must be \\ or `"
    assert error.span == on(0, 9, 10)


# --- 3. heredocs ----------------------------------------------------------------------


def test_run_heredoc_body_is_a_shell_script_with_exact_spans():
    dockerfile = parse("FROM alpine\nRUN <<EOF\napk add curl\necho ok\nEOF\nUSER app\n")
    run, user = dockerfile.instructions[1], dockerfile.instructions[2]
    assert (run.start_line, run.end_line) == (1, 4)
    assert run.text == "RUN <<EOF"
    [heredoc] = run.heredocs
    assert (heredoc.delimiter, heredoc.strip_tabs, heredoc.start_line, heredoc.end_line) == ("EOF", False, 2, 4)
    assert heredoc.body == "apk add curl\necho ok\n"
    assert run.span(heredoc.word.start, heredoc.word.end) == on(1, 4, 9)
    assert len(run.scripts) == 2
    body = run.scripts[1]
    assert [c.values() for c in body.commands] == [["apk", "add", "curl"], ["echo", "ok"]]
    assert body.word_span(body.commands[0].words[1]) == on(2, 4, 7)
    assert body.word_span(body.commands[1].words[1]) == on(3, 5, 7)
    assert user.start_line == 5
    assert dockerfile.comments == []


def test_dash_heredoc_strips_tabs_and_spans_point_past_them():
    run = parse("FROM a\nRUN <<-EOF\n\t\techo hi\n\tEOF\n").instructions[1]
    [heredoc] = run.heredocs
    assert heredoc.strip_tabs
    assert heredoc.body == "echo hi\n"
    assert (heredoc.start_line, heredoc.end_line, run.end_line) == (2, 3, 3)
    command = run.scripts[1].commands[0]
    assert run.scripts[1].word_span(command.words[1]) == on(2, 7, 9)


def test_quoted_delimiters_are_unquoted():
    dockerfile = parse("FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\nRUN <<'END'\n# not a comment\nEND\n")
    first, second = dockerfile.instructions[1:]
    assert first.heredocs[0].delimiter == "EOF"
    assert first.heredocs[0].body == "echo $HOME\n"
    assert second.heredocs[0].delimiter == "END"
    assert second.heredocs[0].body == "# not a comment\n"
    assert dockerfile.comments == []  # body lines are never comments


def test_two_heredocs_on_one_copy_line():
    copy = parse("FROM a\nCOPY <<A <<B /dest/\nalpha\nA\nbeta\nB\nUSER app\n").instructions[1]
    assert [(h.delimiter, h.start_line, h.end_line, h.body) for h in copy.heredocs] == [("A", 2, 3, "alpha\n"), ("B", 4, 5, "beta\n")]
    assert [w.raw for w in copy.words] == ["<<A", "<<B", "/dest/"]
    assert (copy.start_line, copy.end_line) == (1, 5)
    assert copy.scripts == []
    assert copy.heredocs[1].map.span(0, 4) == on(4, 0, 4)


def test_heredocs_with_file_descriptors_and_pipes():
    run = parse("FROM a\nRUN 5<<one cat /proc/self/fd/5 | cat - 6<<two\n1\none\n2\ntwo\n").instructions[1]
    assert [(h.delimiter, h.start_line, h.end_line) for h in run.heredocs] == [("one", 2, 3), ("two", 4, 5)]
    assert len(run.scripts) == 1  # fed to cat, not to a shell


def test_copy_heredoc_to_a_file():
    copy = parse("FROM a\nCOPY <<EOF /etc/app.conf\nkey=value\nEOF\n").instructions[1]
    assert copy.heredocs[0].body == "key=value\n"
    assert copy.words[-1].value == "/etc/app.conf"
    assert copy.heredocs[0].map.span(4, 9) == on(2, 4, 9)


def test_heredoc_fed_to_python_is_not_shell_but_to_bash_is():
    dockerfile = parse(
        "FROM a\n"
        "RUN python3 <<EOF\nimport os\nEOF\n"
        "RUN bash <<EOF\nset -e\nEOF\n"
        "RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"
        "RUN <<EOF\n#!/bin/bash\necho hi\nEOF\n"
        "RUN cat <<EOF > /etc/motd\nrm -rf /\nEOF\n"
    )
    python, bash, shebang_python, shebang_bash, cat = dockerfile.instructions[1:]
    assert len(python.scripts) == 1
    assert python.scripts[0].commands[0].name == "python3"
    assert [r.target.value for r in python.scripts[0].commands[0].redirects] == ["EOF"]
    assert len(bash.scripts) == 2 and bash.scripts[1].commands[0].values() == ["set", "-e"]
    assert len(shebang_python.scripts) == 1
    assert len(shebang_bash.scripts) == 2
    assert len(cat.scripts) == 1


def test_heredoc_inside_a_continued_line():
    dockerfile = parse("FROM a\nRUN cat <<EOF > /etc/motd \\\n    && echo done\nhello\nEOF\nUSER app\n")
    run = dockerfile.instructions[1]
    assert (run.start_line, run.end_line) == (1, 4)
    assert run.text == "RUN cat <<EOF > /etc/motd     && echo done"
    assert [(h.start_line, h.end_line, h.body) for h in run.heredocs] == [(3, 4, "hello\n")]
    commands = run.scripts[0].commands
    assert [c.values() for c in commands] == [["cat"], ["echo", "done"]]
    assert run.scripts[0].word_span(commands[1].words[0]) == on(2, 7, 11)
    assert dockerfile.instructions[2].start_line == 5


def test_heredoc_terminator_with_crlf_and_without_final_newline():
    run = parse("FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF").instructions[1]
    assert (run.end_line, run.heredocs[0].body) == (3, "echo hi\n")


def test_unterminated_heredoc_is_an_error_at_its_word():
    error = error_of("FROM a\nRUN cat <<EOF\necho\n")
    assert str(error) == "unterminated heredoc: no line 'EOF' ends it"
    assert error.span == on(1, 8, 13)


def test_onbuild_heredoc():
    dockerfile = parse("FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\nUSER app\n")
    onbuild = dockerfile.instructions[1]
    assert (onbuild.keyword, onbuild.end_line, onbuild.heredocs[0].body) == ("ONBUILD", 3, "echo hi\n")
    assert dockerfile.instructions[2].start_line == 4


def test_quoted_or_attached_or_json_heredoc_markers_start_no_heredoc():
    dockerfile = parse("FROM a\nRUN echo '<<EOF' \"<<END\"\nRUN [\"cat\", \"<<EOF\"]\nCOPY [\"<<X\", \"/x\"]\nUSER app\n")
    assert [i.heredocs for i in dockerfile.instructions] == [[], [], [], [], []]
    assert dockerfile.instructions[-1].keyword == "USER"


# --- 4. multi-stage builds ------------------------------------------------------------


def test_stages_names_bases_and_copy_from():
    dockerfile = parse(
        "FROM golang:1.22 AS Builder\n"
        "RUN go build -o /out\n"
        "FROM builder AS test\n"
        "RUN go test\n"
        "FROM alpine:3.20\n"
        "COPY --from=BUILDER /out /app\n"
    )
    builder, test, final = dockerfile.stages
    assert [s.index for s in dockerfile.stages] == [0, 1, 2]
    assert (builder.name, builder.image, builder.base_stage) == ("Builder", ImageRef(None, "golang", "1.22", None), None)
    assert builder.from_instruction.span(builder.name_word.start, builder.name_word.end) == on(0, 20, 27)
    assert test.base_stage is builder and test.image is None
    assert final.base_stage is None and final.image == ImageRef(None, "alpine", "3.20", None)
    assert dockerfile.final_stage is final
    assert [i.keyword for i in builder.instructions] == ["FROM", "RUN"]
    copy = final.instructions[1]
    assert copy.stage is final
    assert dockerfile.stage_named(copy.flag_values("from")[0]) is builder
    assert dockerfile.stage_named("TEST") is test
    assert dockerfile.stage_named("missing") is None


def test_from_stage_inherits_the_shell_in_force():
    dockerfile = parse('FROM debian AS base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM base\nRUN a | b\nFROM debian\nRUN c\n')
    assert dockerfile.instructions[3].shell == ("/bin/bash", "-o", "pipefail", "-c")
    assert dockerfile.instructions[5].shell == ("/bin/sh", "-c")


def test_powershell_shell_has_no_posix_scripts():
    run = parse('FROM a\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem\n').instructions[2]
    assert run.shell == ("powershell", "-Command") and run.scripts == []


# --- 5. global ARGs in FROM -----------------------------------------------------------


def test_global_args_resolve_into_image_references():
    dockerfile = parse(
        "ARG BASE=alpine\n"
        "ARG TAG=3.20\n"
        "ARG REGISTRY\n"
        "ARG FULL=${BASE}:${TAG}\n"
        "ARG UNKNOWN=${REGISTRY}/x\n"
        "FROM ${BASE}:${TAG}\n"
        "FROM ${BASE}:${NOPE:-latest}\n"
        "FROM ${REGISTRY}/app:1\n"
        "FROM ${BASE}:${TAG%%.*}\n"
        "FROM $FULL AS last\n"
    )
    assert dockerfile.global_args == {"BASE": "alpine", "TAG": "3.20", "FULL": "alpine:3.20"}
    first, defaulted, unresolved, modifier, last = dockerfile.stages
    assert (first.image_text, first.image) == ("alpine:3.20", ImageRef(None, "alpine", "3.20", None))
    assert first.image_span == on(5, 5, 19)
    assert first.image_part_span("tag") == on(5, 5, 19)  # written with variables: the whole word
    assert defaulted.image == ImageRef(None, "alpine", "latest", None)
    assert (unresolved.image_resolved, unresolved.image) == (False, None)
    assert (modifier.image_resolved, modifier.image) == (False, None)
    assert last.image == ImageRef(None, "alpine", "3.20", None)
    assert dockerfile.instructions[0].stage is None  # global ARGs belong to no stage


def test_args_whose_value_cannot_be_known_resolve_nothing():
    dockerfile = parse(
        "ARG ARCH_SUFFIX=${TARGETPLATFORM#linux/}\n"  # a pattern modifier on an automatic ARG
        "ARG MODE=${ARCH_SUFFIX:+cross}\n"
        "ARG MODE=${MODE:-native}\n"
        "FROM build-${MODE}\n"
        "FROM busybox${TARGETARCH:+-$TARGETARCH}\n"
        "ARG VERSION\n"
        "FROM alpine:${VERSION}\n"
        "FROM alpine:${VERSION:-3.20}\n"
    )
    assert dockerfile.global_args == {}
    assert [(s.image_text, s.image_resolved) for s in dockerfile.stages] == [
        ("build-${MODE}", False),
        ("busybox${TARGETARCH:+-$TARGETARCH}", False),
        ("alpine:${VERSION}", False),  # declared without a default: unset, no image known
        ("alpine:3.20", True),  # ... but its default applies
    ]


def test_stage_args_do_not_resolve_from():
    dockerfile = parse("FROM alpine\nARG TAG=1\nFROM debian:${TAG}\n")
    assert dockerfile.global_args == {}
    assert dockerfile.stages[1].image is None


# --- 6.-9. case, line endings, BOM, final newline -------------------------------------


def test_lower_case_instructions():
    dockerfile = parse("from alpine:3.20 as build\nrun echo hi\ncopy --from=build /a /b\n")
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "COPY"]
    assert dockerfile.stages[0].name == "build"
    assert dockerfile.instructions[1].keyword_span == on(1, 0, 3)
    assert dockerfile.instructions[1].scripts[0].commands[0].values() == ["echo", "hi"]


def test_crlf_spans_never_include_carriage_returns():
    source = SourceText("FROM alpine:3.20\r\nRUN echo a \\\r\n  && echo b\r\nUSER app\r\n")
    dockerfile = parse_dockerfile(source)
    run = dockerfile.instructions[1]
    assert source.newline == "\r\n"
    assert (run.start_line, run.end_line, run.text) == (1, 2, "RUN echo a   && echo b")
    assert run.whole_span == Span(Position(1, 0), Position(2, 11))
    command = run.scripts[0].commands[1]
    assert run.scripts[0].word_span(command.words[1]) == on(2, 10, 11)
    assert dockerfile.stages[0].image_part_span("tag") == on(0, 11, 16)
    assert source.slice(dockerfile.instructions[2].whole_span) == "USER app"


def test_bom_is_dropped_and_line_zero_is_not_shifted():
    source = SourceText.from_bytes(b"\xef\xbb\xbf# escape=`\nFROM alpine:3.20\nUSER app\n")
    assert source.has_bom and source.text.startswith("# escape")
    assert source.to_bytes().startswith(b"\xef\xbb\xbf# escape")
    dockerfile = parse_dockerfile(source)
    assert dockerfile.escape == "`"
    first_line = parse_dockerfile(SourceText.from_bytes(b"\xef\xbb\xbfFROM alpine:3.20\n"))
    assert first_line.instructions[0].keyword_span == on(0, 0, 4)
    assert first_line.stages[0].image_part_span("tag") == on(0, 11, 16)


def test_bom_through_load_document_with_text_input():
    document = load_document("Dockerfile", "\ufeffFROM alpine:3.20\n", Format.DOCKERFILE)
    assert document.source.has_bom and document.model.stages[0].image_span == on(0, 5, 16)


def test_no_final_newline():
    dockerfile = parse("FROM alpine\nRUN echo hi")
    run = dockerfile.instructions[1]
    assert (run.start_line, run.end_line) == (1, 1)
    assert run.whole_span == on(1, 0, 11)
    assert dockerfile.source.line_count == 2


# --- 10.-11. JSON and shell form, flags -----------------------------------------------


def test_json_and_shell_forms():
    dockerfile = parse(
        "FROM a\n"
        'CMD ["nginx", "-g", "daemon off;"]\n'
        "CMD ['nginx']\n"  # single quotes are not JSON
        'ENTRYPOINT ["a"] # comment\n'  # trailing text: not JSON
        'RUN ["echo", 1]\n'  # not all strings
        'RUN ["/bin/sh", "-c", "echo hi"]\n'
        "CMD nginx -g 'daemon off;'\n"
    )
    cmd, single, trailing, number, exec_run, shell_cmd = dockerfile.instructions[1:]
    assert cmd.json_arguments == ["nginx", "-g", "daemon off;"]
    assert single.json_arguments is None and trailing.json_arguments is None and number.json_arguments is None
    assert exec_run.json_arguments == ["/bin/sh", "-c", "echo hi"] and exec_run.scripts == []
    assert [w.value for w in shell_cmd.words] == ["nginx", "-g", "daemon off;"]
    assert shell_cmd.span(shell_cmd.words[2].start, shell_cmd.words[2].end) == on(6, 13, 26)  # quotes included
    assert len(number.scripts) == 1  # shell form after all


def test_run_flags_with_exact_spans():
    run = parse("FROM a\nRUN --mount=type=cache,target=/root/.cache --network=none pip install x\n").instructions[1]
    assert [f.raw for f in run.flags] == ["--mount=type=cache,target=/root/.cache", "--network=none"]
    mount = run.flag("mount")
    assert run.span(mount.start, mount.end) == on(1, 4, 42)
    assert run.flag_values("mount") == ["type=cache,target=/root/.cache"]
    assert run.flag_values("network") == ["none"]
    assert run.flag("security") is None
    assert run.arguments == "pip install x"
    assert run.span(run.rest_start, run.rest_start + 3) == on(1, 58, 61)
    command = run.scripts[0].commands[0]
    assert command.values() == ["pip", "install", "x"]
    assert run.scripts[0].word_span(command.words[2]) == on(1, 70, 71)


def test_copy_flags_and_repeated_flags():
    dockerfile = parse("FROM a\nCOPY --chown=a:b --from=x src /dst\nRUN --mount=type=secret,id=t --mount=type=cache,target=/c make\n")
    copy, run = dockerfile.instructions[1:]
    assert copy.flag("chown").value == "--chown=a:b"
    assert copy.flag_values("from") == ["x"]
    assert [w.raw for w in copy.words] == ["src", "/dst"]
    assert copy.span(copy.flag("from").start, copy.flag("from").end) == on(1, 17, 25)
    assert run.flag_values("mount") == ["type=secret,id=t", "type=cache,target=/c"]


def test_key_values_for_env_arg_and_label():
    env, label, legacy = parse('FROM a\nENV A=1 B="two words"\nLABEL x.y=\'z\'\nENV LEGACY some value\n').instructions[1:]
    first, second = env.key_values
    assert (first.key, first.value) == ("A", "1")
    assert (second.key, second.value) == ("B", "two words")
    assert env.span(second.value_start, second.value_end) == on(1, 11, 20)
    assert label.span(label.key_values[0].value_start, label.key_values[0].value_end) == on(2, 11, 12)
    assert (legacy.key_values[0].key, legacy.key_values[0].value) == ("LEGACY", "some value")


# --- 12. invalid input ----------------------------------------------------------------

TEMPLATE = "a template ({{ … }}), not a plain Dockerfile: skipped"


@pytest.mark.parametrize(
    ("data", "message", "span"),
    [
        (b"FROM a\x00\x01", "binary file (contains NUL bytes)", None),
        (b"\xff\xfeF\x00R\x00", "UTF-16 text: save the file as UTF-8", None),
        (b"FROM caf\xe9\n", "not valid UTF-8 (byte 8)", None),
        (b"", "empty Dockerfile: no instructions", None),
        (b"  \n\t\n# only a comment\n", "empty Dockerfile: no instructions", None),
        (b"FROM a\nRUNN x\n", "unknown instruction 'RUNN'", on(1, 0, 4)),
        (b"RUN echo\nFROM a\n", "RUN before the first FROM (only ARG may come first)", on(0, 0, 3)),
        (b"ARG A=1\n", "no FROM instruction", on(0, 0, 3)),
        (b"FROM\n", "FROM needs an image", on(0, 0, 4)),
        (b"FROM --platform=linux/amd64\n", "FROM needs an image", on(0, 0, 4)),
        (b"FROM a b\n", "FROM takes an image and an optional 'AS name'", on(0, 7, 8)),
        (b"FROM a AS b c\n", "FROM takes an image and an optional 'AS name'", on(0, 7, 13)),
        (b"FROM {{ .Base }}\n", TEMPLATE, on(0, 5, 16)),
        (b"{{ if .x }}\nFROM a\n{{ end }}\n", TEMPLATE, on(0, 0, 2)),
        (b"{% if x %}\nFROM a\n", TEMPLATE, on(0, 0, 2)),
        (b"FROM a\nBOGUS x\nENV A={{ .a }}\n", TEMPLATE, on(2, 6, 14)),
        (b"FROM a\nRUN <<EOF\nx\n", "unterminated heredoc: no line 'EOF' ends it", on(1, 4, 9)),
        (b"FROM a\n\\\n", "a line continuation with no instruction after it", on(1, 0, 1)),
    ],
)
def test_invalid_input_gives_a_document_error_never_an_exception(data, message, span):
    document = load_document("Dockerfile", data, Format.DOCKERFILE)
    assert document.model is None
    assert document.error == message
    assert document.error_span == span


def test_nul_in_text_input_is_reported_with_its_position():
    document = load_document("Dockerfile", "FROM a\nRUN x\x00", Format.DOCKERFILE)
    assert (document.error, document.error_span) == ("binary file (contains NUL bytes)", on(1, 5, 6))


def test_template_markers_in_comments_quotes_and_heredocs_are_fine():
    dockerfile = parse(
        "# rendered from {{ .Template }}\n"
        "FROM a\n"
        "RUN docker inspect -f '{{.Id}}' x && go list -f \"{{.Dir}}\" ./...\n"
        "RUN cat <<EOF > /t.tmpl\n{{ .Values }}\nEOF\n"
    )
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "RUN"]


# --- 13. image references -------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("nginx", ImageRef(None, "nginx", None, None)),
        ("nginx:1.27", ImageRef(None, "nginx", "1.27", None)),
        ("library/nginx", ImageRef(None, "library/nginx", None, None)),
        ("docker.io/library/nginx:latest", ImageRef("docker.io", "library/nginx", "latest", None)),
        ("ghcr.io/org/app:1@sha256:" + "a" * 64, ImageRef("ghcr.io", "org/app", "1", "sha256:" + "a" * 64)),
        ("localhost:5000/app", ImageRef("localhost:5000", "app", None, None)),
        ("localhost/app", ImageRef("localhost", "app", None, None)),
        ("registry:5000/app:tag", ImageRef("registry:5000", "app", "tag", None)),
        ("app@sha256:" + "b" * 64, ImageRef(None, "app", None, "sha256:" + "b" * 64)),
        ("MyRegistry/app", ImageRef("MyRegistry", "app", None, None)),
        ("scratch", ImageRef(None, "scratch", None, None)),
    ],
)
def test_image_ref_parse(reference, expected):
    assert ImageRef.parse(reference) == expected


def test_image_ref_name_and_scratch():
    assert ImageRef.parse("ghcr.io/org/app:1").name == "ghcr.io/org/app"
    assert ImageRef.parse("scratch").is_scratch and not ImageRef.parse("ghcr.io/scratch").is_scratch


# --- 14. image part spans -------------------------------------------------------------


def test_image_part_spans_are_exact():
    digest = "sha256:" + "c" * 64
    dockerfile = parse(
        "FROM --platform=$BUILDPLATFORM nginx:1.27 AS web\n"
        "FROM registry:5000/app\n"
        f"FROM ghcr.io/org/app:1@{digest}\n"
        'FROM "alpine:3.20"\n'
    )
    tagged, ported, pinned, quoted = dockerfile.stages
    assert tagged.image_span == on(0, 31, 41)
    assert tagged.image_part_span("tag") == on(0, 36, 41)
    assert tagged.image_part_span("digest") == on(0, 31, 41)  # none: the reference without it
    assert ported.image_part_span("tag") == on(1, 5, 22)  # the port is no tag
    assert pinned.image_part_span("tag") == on(2, 20, 22)
    assert pinned.image_part_span("digest") == on(2, 22, 22 + 1 + len(digest))
    assert quoted.image_part_span("tag") == on(3, 5, 18)
    assert quoted.image == ImageRef(None, "alpine", "3.20", None)


def test_image_part_span_on_a_continued_from():
    stage = parse("FROM \\\n  nginx:latest \\\n  AS web\n").stages[0]
    assert stage.image_part_span("tag") == on(1, 7, 14)
    assert stage.name == "web"


# --- the shared corpus ----------------------------------------------------------------


def test_corpus_dockerfiles_parse_with_consistent_spans():
    """Every real Dockerfile of ../shared/corpus parses, and every span slices out the
    text it stands for (the corpus changes when refreshed: no particular counts)."""
    from conftest import CORPUS

    folder = CORPUS / "dockerfile"
    if not folder.is_dir():
        pytest.skip("needs ../shared/corpus beside the repository")
    failures = []
    checked = 0
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".dockerignore"):
            continue
        checked += 1
        document = load_document(str(path), path.read_bytes(), Format.DOCKERFILE)
        if document.model is None:
            failures.append(f"{path.name}: {document.error}")
            continue
        source = document.model.source
        for instruction in document.model.instructions:
            for item in instruction.flags + instruction.words:
                span = instruction.span(item.start, item.end)
                if span.start.line == span.end.line and source.slice(span) != item.raw:
                    failures.append(f"{path.name}:{span.start.line}: {item.raw!r} spans {source.slice(span)!r}")
    # A few corpus files are other projects' deliberately broken test inputs.
    assert all("unknown instruction" in failure for failure in failures), failures[:5]
    assert len(failures) * 100 <= checked, failures


def test_windows_image_names_with_a_hyphenated_repository_get_the_cmd_shell():
    dockerfile = parse_dockerfile(SourceText("FROM mcr.microsoft.com/windows-cssc/python:3.12\nRUN dir\n"))
    assert dockerfile.instructions[1].shell == WINDOWS_SHELL and dockerfile.instructions[1].scripts == []
    linux = parse_dockerfile(SourceText("FROM windowsfoo/app\nRUN ls\n"))
    assert linux.instructions[1].shell != WINDOWS_SHELL
