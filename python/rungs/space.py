"""The search space as the study file (/study_yaml) records it, read as rungs reads it.

rungs types a YAML scalar itself (study/yaml_fields.cpp's as_value): a quoted scalar is a
string; a plain one is a bool when it is true/True/false/False, an int when all of it is a
base-10 integer, a float when all of it is a finite number, else a string. PyYAML's own
resolver differs (``1e-3`` is a string to it, ``yes`` a bool), so only its composer is used
here, and the scalars are typed by the rules above. PyYAML is optional: without it (or for
a study file this reader does not understand) the search space is unknown and
:func:`parse_space` raises SpaceUnavailable with the reason.
"""
import dataclasses
import math
import re
from typing import Optional, Tuple

_INT = re.compile(r"\s*[+-]?[0-9]+")
_FLOAT = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"\s*[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?[0-9]+)?")


class SpaceUnavailable(Exception):
    """The search space cannot be read from the study file; the message says why."""


@dataclasses.dataclass(frozen=True)
class ParamSpec:
    """One parameter of search_space: ``type`` is "float", "int" or "categorical"."""
    name: str
    type: str
    low: Optional[float] = None  #: float/int: inclusive bounds (ints for "int")
    high: Optional[float] = None
    log: bool = False
    step: Optional[float] = None  #: float: None when continuous; int: >= 1 (default 1)
    choices: Tuple = ()  #: categorical: the choices, typed (bool, int, float or str)
    when: Optional[Tuple[str, Tuple]] = None  #: (parent, values it must take), or None
    grid: Tuple = ()  #: explicit values for the grid sampler, if any


def to_text(value):
    """A parameter value as rungs prints it (study/param.cpp's to_string): "0.001", "64",
    "adam", "true"; floats as the shortest %g text that reads back the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        for precision in range(6, 18):
            text = "%.*g" % (precision, value)
            if float(text) == value:
                return text
        return repr(value)
    return str(value)


def _number(text):
    """The value of `text` as C's strtoll, then strtod, read whole; None when neither."""
    if _INT.fullmatch(text):
        value = int(text)
        if -(1 << 63) <= value < (1 << 63):
            return value
    if _FLOAT.fullmatch(text):
        value = float(text)
    elif _HEX_FLOAT.fullmatch(text):
        value = float.fromhex(text.strip())
    else:
        return None
    return value if math.isfinite(value) else None


def _scalar(node):
    import yaml
    if not isinstance(node, yaml.ScalarNode):
        raise SpaceUnavailable(f"line {node.start_mark.line + 1}: expected a single value")
    return node.value


def _value(node):
    """study/yaml_fields.cpp's as_value."""
    text = _scalar(node)
    if node.style is not None:  # quoted in the file
        return text
    if text in ("true", "True"):
        return True
    if text in ("false", "False"):
        return False
    number = _number(text)
    return text if number is None else number


def _bool(node):
    text = _scalar(node)
    if text in ("true", "True", "yes"):
        return True
    if text in ("false", "False", "no"):
        return False
    raise SpaceUnavailable(f"line {node.start_mark.line + 1}: {text} is not true or false")


def _mapping(node):
    import yaml
    if not isinstance(node, yaml.MappingNode):
        raise SpaceUnavailable(f"line {node.start_mark.line + 1}: expected a map")
    return [(_scalar(k), v) for k, v in node.value]


def _sequence(node):
    import yaml
    return list(node.value) if isinstance(node, yaml.SequenceNode) else [node]


def _param(name, node, earlier):
    fields = dict(_mapping(node))
    kind = _scalar(fields["type"])
    spec = {"name": name, "type": kind}
    if kind in ("float", "int"):
        cast = float if kind == "float" else int
        for key in ("low", "high"):
            number = _number(_scalar(fields[key]))
            if number is None:
                raise SpaceUnavailable(f"{name}.{key} is not a number")
            spec[key] = cast(number)
        spec["log"] = "log" in fields and _bool(fields["log"])
        if "step" in fields:
            spec["step"] = cast(_number(_scalar(fields["step"])))
        elif kind == "int":
            spec["step"] = 1
    elif kind == "categorical":
        spec["choices"] = tuple(_value(c) for c in _sequence(fields["choices"]))
    else:
        raise SpaceUnavailable(f"{name}: unknown parameter type {kind!r}")

    def typed(value, spec_kind):  # an int given for a float parameter is that float
        is_int = isinstance(value, int) and not isinstance(value, bool)
        return float(value) if spec_kind == "float" and is_int else value

    if "grid" in fields:
        spec["grid"] = tuple(typed(_value(g), kind) for g in _sequence(fields["grid"]))
    if "when" in fields:
        ((parent, values),) = _mapping(fields["when"])
        if parent not in earlier:
            raise SpaceUnavailable(f"{name}.when names no parameter defined above it")
        spec["when"] = (parent, tuple(typed(_value(v), earlier[parent].type)
                                      for v in _sequence(values)))
    return ParamSpec(**spec)


def parse_space(study_yaml):
    """{name: ParamSpec} of the study file's search_space, in the file's order."""
    try:
        import yaml
    except ImportError:
        raise SpaceUnavailable("reading the search space needs PyYAML "
                               "(pip install pyyaml, or Debian's python3-yaml)") from None
    try:
        root = yaml.compose(study_yaml, Loader=yaml.SafeLoader)
        section = dict(_mapping(root))["search_space"]
        space = {}
        for name, node in _mapping(section):
            space[name] = _param(name, node, space)
        return space
    except SpaceUnavailable:
        raise
    except (yaml.YAMLError, KeyError, ValueError, TypeError, AttributeError) as e:
        raise SpaceUnavailable(f"the study file's search_space is not readable here: "
                               f"{type(e).__name__}: {e}") from None


def restore_choice_types(space, trials):
    """study.h5 stores a categorical whose choices mix types ([64, auto]) as strings; this
    maps each such string back to the choice whose text it is (a string choice wins over a
    number spelled the same), as rungs' restore_choice_types does. In place."""
    for trial in trials:
        for name, value in trial.params.items():
            spec = space.get(name)
            if spec is None or not isinstance(value, str):
                continue
            match = None
            for choice in spec.choices:
                if to_text(choice) == value and (match is None or isinstance(choice, str)):
                    match = choice
            if match is not None:
                trial.params[name] = match
