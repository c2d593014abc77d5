"""The build variables (``ARG``/``ENV``) in force at an instruction, from their literal defaults."""
from __future__ import annotations

from hullguard.dockerfile import Dockerfile, Instruction, Stage
from hullguard.words import substitute


def variables_before(dockerfile: Dockerfile, instruction: Instruction) -> dict[str, str]:
    """The variables whose value is known where ``instruction`` runs.

    Follows Docker's scoping: ``ENV`` is inherited through ``FROM <stage>``, ``ARG`` is not;
    a global ``ARG`` (before the first ``FROM``) is visible in a stage only once the stage
    declares it again with a bare ``ARG NAME``; an ``ARG`` with neither a default nor a
    global value is unknown (it comes from ``--build-arg``), and so is anything built from it.
    """
    return _walk(dockerfile, instruction.stage, instruction)[0]


def _walk(dockerfile: Dockerfile, stage: Stage, before: Instruction | None) -> tuple[dict[str, str], dict[str, str]]:
    """(variables before ``before``, the ``ENV`` part of them); ``before=None``: the whole stage."""
    env = dict(_walk(dockerfile, stage.base_stage, None)[1]) if stage.base_stage is not None else {}
    variables = dict(env)
    for instruction in stage.instructions:
        if instruction is before:
            break
        if instruction.keyword not in ("ARG", "ENV"):
            continue
        for pair in instruction.key_values:
            value: str | None
            if instruction.keyword == "ARG" and not pair.has_value:
                value = dockerfile.global_args.get(pair.key)
            else:
                value, resolved = substitute(pair.value, variables)
                value = value if resolved else None
            scopes = (variables, env) if instruction.keyword == "ENV" else (variables,)
            for scope in scopes:
                if value is None:
                    scope.pop(pair.key, None)
                else:
                    scope[pair.key] = value
    return variables, env
