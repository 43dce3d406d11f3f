"""Flow's helper for Python scripts run by Flow.Script.Run: `from flow_script import inputs, output`.

`inputs` is what the step passed (a dict for an object; camelCase keys). Numeric arrays (double[], float[], int[],
long[]) arrive as numpy arrays when numpy is installed, else as array.array; rectangular ones (double[,], ...) as 2-D
numpy arrays (rows x columns), else as a list of array.array rows; byte[] arrives as bytes.
`output(value)` (or `output(name=value, ...)`) hands the script's result back to the step, once.
numpy arrays of 1 or 2 dimensions, array.array and bytes in the output cross as binary files; lists cross as JSON.
"""

import array
import json
import math
import os
import sys

__all__ = ["inputs", "output"]

_DIR = os.environ.get("FLOW_SCRIPT_DIR")
if not _DIR:
    raise RuntimeError("flow_script is for scripts run by Flow.Script.Run (FLOW_SCRIPT_DIR is not set)")

try:
    import numpy as _np
except ImportError:  # numpy is optional
    _np = None

_LITTLE = sys.byteorder == "little"
_CODES = {"float64": "d", "float32": "f", "int32": "i", "int64": "q"}
_NUMPY = {"float64": "<f8", "float32": "<f4", "int32": "<i4", "int64": "<i8"}
_written = False
_files = 0


def _read_binary(ref):
    dtype, name, length = ref["dtype"], ref["file"], ref["length"]
    path = os.path.join(_DIR, os.path.basename(name))
    if dtype in ("bytes", "uint8"):
        with open(path, "rb") as f:
            return f.read()
    shape = ref.get("shape")
    if _np is not None:
        values = _np.fromfile(path, dtype=_NUMPY[dtype], count=length)
        return values if shape is None else values.reshape(shape)
    values = array.array(_CODES[dtype])
    with open(path, "rb") as f:
        values.fromfile(f, length)
    if not _LITTLE:
        values.byteswap()
    if shape is not None and len(shape) == 2:
        rows, columns = shape
        return [values[i * columns:(i + 1) * columns] for i in range(rows)]
    return values


def _hook(obj):
    if obj.get("$flow") == "binary":
        return _read_binary(obj)
    return obj


with open(os.path.join(_DIR, "inputs.json"), "rb") as _f:
    inputs = json.loads(_f.read().decode("utf-8"), object_hook=_hook)


def _new_file():
    global _files
    _files += 1
    return "out-%d.bin" % _files


def _binary(data, dtype, length, shape=None):
    name = _new_file()
    with open(os.path.join(_DIR, name), "wb") as f:
        f.write(data)
    ref = {"$flow": "binary", "dtype": dtype, "file": name, "length": length}
    if shape is not None:
        ref["shape"] = [int(size) for size in shape]
    return ref


def _float(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _prepare(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return _binary(data, "bytes", len(data))
    if isinstance(value, array.array):
        dtype = {"d": "float64", "f": "float32"}.get(value.typecode)
        if dtype is None and value.typecode in "bBhHiIlLqQ":
            dtype = "int32" if value.itemsize <= 4 and value.typecode not in "IL" else "int64"
            value = array.array("i" if dtype == "int32" else "q", value)
        if dtype is None:
            raise TypeError("output(): array.array of type %r cannot be passed" % value.typecode)
        if not _LITTLE:
            value = array.array(value.typecode, value)
            value.byteswap()
        return _binary(value.tobytes(), dtype, len(value))
    if _np is not None:
        if isinstance(value, _np.ndarray):
            if value.dtype.kind == "f":
                dtype = "float32" if value.dtype.itemsize == 4 else "float64"
            elif value.dtype.kind in "iu" and value.dtype.itemsize <= 4 and not (value.dtype.kind == "u" and value.dtype.itemsize == 4):
                dtype = "int32"
            elif value.dtype.kind in "iu":
                dtype = "int64"
            elif value.dtype.kind == "b":
                return [bool(v) for v in value.ravel()]
            else:
                return [_prepare(v) for v in value.tolist()]
            if value.ndim not in (1, 2):
                raise TypeError(
                    "output(): a numpy array of %d dimensions cannot be passed; Flow takes 1-D arrays (for double[], "
                    "List<double>, ...) and 2-D arrays (rows x columns, for double[,], ...): reshape it, or pass a list "
                    "of arrays" % value.ndim)
            data = _np.ascontiguousarray(value, dtype=_NUMPY[dtype])
            return _binary(data.tobytes(), dtype, data.size, data.shape if data.ndim == 2 else None)
        if isinstance(value, _np.generic):
            return _prepare(value.item())
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("output(): dictionary keys must be strings, got %r" % (key,))
            out[key] = _prepare(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_prepare(v) for v in value]
    if hasattr(value, "__dict__"):
        return _prepare({k: v for k, v in vars(value).items() if not k.startswith("_")})
    raise TypeError("output(): a %s cannot be passed to the step" % type(value).__name__)


def output(value=None, **fields):
    """Hands the script's result to the step: output(value) or output(name=value, ...). Call it once."""
    global _written
    if _written:
        raise RuntimeError("output() was called twice; call it once, with the whole result")
    if fields:
        if value is not None:
            raise TypeError("output() takes a value or named fields, not both")
        value = fields
    text = json.dumps(_prepare(value), allow_nan=False, ensure_ascii=False)
    path = os.path.join(_DIR, "output.json")
    with open(path + ".tmp", "wb") as f:
        f.write(text.encode("utf-8"))
    os.replace(path + ".tmp", path)
    _written = True
