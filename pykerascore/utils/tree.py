"""Nested structures (lists, tuples, dicts) of leaves: flatten, rebuild, map."""


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def flatten(x):
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def pack_sequence_as(structure, flat):
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return {k: build(s[k]) for k in sorted(s)}
        if isinstance(s, (list, tuple)):
            items = [build(v) for v in s]
            return type(s)(items) if isinstance(s, list) else tuple(items)
        return next(it)

    out = build(structure)
    if isinstance(structure, dict):
        out = {k: out[k] for k in structure}
    return out


def map_structure(fn, x):
    return pack_sequence_as(x, [fn(leaf) for leaf in flatten(x)])
