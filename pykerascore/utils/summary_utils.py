"""`model.summary()`: Keras 3's box table (layer, output shape, params, connections), laid out
the way Keras's `rich` table lays it out, as plain text (no colours), then the parameter
totals with their memory size. Reads models through their layers and functional nodes only;
must not build, trace or change a model."""

import re
import shutil

import numpy as np

from pykerascore.utils import tree

# rich's HEAVY_HEAD box: (left, fill, cross, right) for each kind of rule or row.
_TOP = ("┏", "━", "┳", "┓")
_HEAD = ("┃", " ", "┃", "┃")
_HEAD_RULE = ("┡", "━", "╇", "┩")
_ROW = ("│", " ", "│", "│")
_ROW_RULE = ("├", "─", "┼", "┤")
_BOTTOM = ("└", "─", "┴", "┘")


def count_params(weights):
    return int(sum(int(np.prod(w.shape)) for w in weights))


def weight_memory_size(weights):
    """Bytes held by the distinct `weights`, from their shapes and dtypes."""
    unique = {id(w): w for w in weights}.values()
    return float(sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in unique))


def readable_memory_size(size):
    for unit in ["B", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


# ------------------------------------------------------------------ table layout (as rich)
def _ratio_reduce(total, ratios, maximums, values):
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            # Python's round (half to even), as rich uses.
            distributed = min(maximum, round(ratio * total / total_ratio))
            out.append(value - distributed)
            total -= distributed
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _cell_widths(column_widths, line_length):
    """Widths of the cells (padding included, borders not): each column asks for its width plus
    one space each side; when that overflows the line they shrink evenly, as rich does."""
    widths = [w + 2 for w in column_widths]
    available = line_length - (len(widths) + 1)
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
    return widths


def _wrap(text, width):
    """Greedy word wrap (a word keeps its trailing spaces); a word longer than the line is cut
    with an ellipsis, as rich's default `overflow="ellipsis"`."""
    lines = []
    for paragraph in text.split("\n"):
        words = re.findall(r"\s*\S+\s*", paragraph) or [""]
        current = ""
        for word in words:
            if current and len(current) + len(word.rstrip()) > width:
                lines.append(current)
                current = word
            else:
                current += word
        lines.append(current)
    return [line if len(line) <= width else line[: width - 1] + "…" for line in lines]


def _justify(line, width, how):
    if how == "left":
        return line[:width].ljust(width)
    line = line.rstrip()
    if how == "right":
        return line.rjust(width)
    excess = width - len(line)
    return " " * (excess // 2) + line + " " * (excess - excess // 2)


def _rule(box, widths):
    left, fill, cross, right = box
    return left + cross.join(fill * w for w in widths) + right


def _row(box, cells, widths, alignment, bottom=False):
    """One table row; cells wrap onto more lines, aligned to the top (the header, as rich
    draws it: to the bottom)."""
    left, _, sep, right = box
    wrapped = [_wrap(str(c), w - 2) for c, w in zip(cells, widths)]
    height = max(len(w) for w in wrapped)
    if bottom:
        wrapped = [[""] * (height - len(lines)) + lines for lines in wrapped]
    out = []
    for i in range(height):
        parts = []
        for lines, w, how in zip(wrapped, widths, alignment):
            text = lines[i] if i < len(lines) else ""
            parts.append(" " + _justify(text, w - 2, how) + " ")
        out.append(left + sep.join(parts) + right)
    return out


def render_table(header, rows, column_widths, alignment, line_length):
    widths = _cell_widths(column_widths, line_length)
    lines = [_rule(_TOP, widths)]
    lines += _row(_HEAD, header, widths, alignment, bottom=True)
    lines.append(_rule(_HEAD_RULE, widths))
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule(_ROW_RULE, widths))
        lines += _row(_ROW, row, widths, alignment)
    lines.append(_rule(_BOTTOM, widths))
    return lines


# ------------------------------------------------------------------ model reading
def _format_shape(shape):
    return "(" + ", ".join(str(d) for d in shape) + ")"


def format_layer_shape(layer):
    """Output shape(s) of the layer's last call in a functional graph, or "?"."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "?"
    outputs = nodes[-1].outputs
    flat = tree.flatten(outputs)
    if len(flat) == 1:
        return _format_shape(flat[0].shape)
    return str(tree.map_structure(lambda t: _format_shape(t.shape), outputs)).replace("'", "")


def _functional_nodes(model):
    graph = getattr(model, "_functional", None) or model
    return list(getattr(graph, "_nodes", None) or [])


def _is_sequential_like(nodes):
    """Keras prints a functional model without "Connected to" when it is a plain chain: every
    node takes at most one tensor, no layer is called twice, and no two nodes share a depth."""
    if any(len(n.input_tensors) > 1 for n in nodes):
        return False
    layer_ids = [id(n.layer) for n in nodes]
    if len(set(layer_ids)) != len(layer_ids):
        return False
    # Depth from the outputs: a chain has one node per depth.
    parent = {}
    for n in nodes:
        for t in n.input_tensors:
            layer, index, _ = t._keras_history
            parent[id(n)] = id(layer._inbound_nodes[index])
    consumers = {}
    for child, p in parent.items():
        consumers[p] = consumers.get(p, 0) + 1
    return all(c <= 1 for c in consumers.values()) and len(nodes) - len(parent) <= 1


def layer_range_bounds(layers, layer_range=None):
    """[first, last + 1] indexes of the layers named (by regex) in `layer_range`."""
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, l in enumerate(layers) if re.match(layer_range[0], l.name)]
    upper = [i for i, l in enumerate(layers) if re.match(layer_range[1], l.name)]
    if not lower or not upper:
        raise ValueError(f"Passed layer_names do not match the layer names in the model. Received: {layer_range}")
    if min(lower) > max(upper):
        return [min(upper), max(lower) + 1]
    return [min(lower), max(upper) + 1]


def _optimizer_variables(model):
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None or not getattr(optimizer, "built", False):
        return None
    return list(getattr(optimizer, "variables", None) or [])


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    from pykerascore.models.functional import Functional

    layers = model.layers
    relevant = []
    sequential_like = True
    if isinstance(model, Functional):
        relevant = _functional_nodes(model)
        sequential_like = _is_sequential_like(relevant)

    if sequential_like:
        default_line_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
    else:
        default_line_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")

    # As Keras: never wider than the terminal (80 columns when there is none) less 4.
    default_line_length = min(default_line_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_line_length
    column_widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        column_widths.append(width)
        current += width

    relevant_ids = {id(n) for n in relevant}

    def connections(layer):
        parts = []
        for node in layer._inbound_nodes:
            if relevant_ids and id(node) not in relevant_ids:
                continue  # a call of this layer outside this model
            for t in node.input_tensors:
                inbound, node_index, tensor_index = t._keras_history
                parts.append(f"{inbound.name}[{node_index}][{tensor_index}]")
        return ", ".join(parts) or "-"

    def fields(layer, prefix=""):
        name = f"{prefix}{layer.name} ({type(layer).__name__})"
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [name, format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def layer_rows(layer, level=0):
        rows = [fields(layer, "   " * level + "└ " if level else "")]
        if expand_nested and getattr(layer, "layers", None):
            for sub in layer.layers:
                rows += layer_rows(sub, level + 1)
        return rows

    lo, hi = layer_range_bounds(layers, layer_range)
    rows = [row for layer in layers[lo:hi] for row in layer_rows(layer)]

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer_vars = _optimizer_variables(model)
    totals = [
        ("Trainable params", count_params(trainable), weight_memory_size(trainable)),
        ("Non-trainable params", count_params(non_trainable), weight_memory_size(non_trainable)),
    ]
    if optimizer_vars is not None:
        totals.append(("Optimizer params", count_params(optimizer_vars), weight_memory_size(optimizer_vars)))
    total = ("Total params", sum(t[1] for t in totals), sum(t[2] for t in totals))

    lines = [f'Model: "{model.name}"']
    # Keras's console crops what does not fit the terminal (80 columns when there is none).
    console_width = shutil.get_terminal_size().columns
    lines += [line[:console_width] for line in render_table(header, rows, column_widths, alignment, line_length)]
    for label, count, size in [total] + totals:
        lines.append(f" {label}: {count:,} ({readable_memory_size(size)})")
    text = "\n".join(lines) + "\n"
    # As Keras with a print_fn: the whole summary in one call, ending with a newline.
    if print_fn is not None:
        print_fn(text)
    else:
        print(text, end="")
