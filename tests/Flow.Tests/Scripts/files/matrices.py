# Rectangular arrays both ways: echoed, summed by column, made by the script, and the forms that are refused.
import array
import json
import os
from flow_script import inputs, output

mode = inputs["mode"]
names = ["doubles", "floats", "ints", "longs"]

if mode == "echo":
    result = {name: inputs[name] for name in names}
    result["kinds"] = {
        name: "%s %s %s" % (type(inputs[name]).__name__, inputs[name].dtype, list(inputs[name].shape))
        if hasattr(inputs[name], "dtype") else "%s of %d %s" % (type(inputs[name]).__name__, len(inputs[name]), type(inputs[name][0]).__name__)
        for name in names
    }
    output(result)
elif mode == "sums":
    output(
        columnSums={name: inputs[name].sum(axis=0).astype("float64") for name in names},
        shapes={name: list(inputs[name].shape) for name in names},
    )
elif mode == "make":
    import numpy as np
    output(
        counting=np.arange(6, dtype="float64").reshape(2, 3),
        transposed=np.arange(6, dtype="int64").reshape(3, 2).T,
        narrowed=np.full((2, 2), 0.1),
        whole=np.array([[1, 2], [3, 4]], dtype="int64"),
        rows=np.arange(6, dtype="float64").reshape(2, 3),
        listed=[[1.5, 2.5], array.array("d", [3.5, 4.5])],
    )
elif mode == "cube":
    import numpy as np
    output(counting=np.zeros((2, 2, 2)))
elif mode == "flat":
    import numpy as np
    output(counting=np.arange(3.0))
elif mode == "matrix-for-array":
    import numpy as np
    output(values=np.zeros((2, 3)))
elif mode == "ragged":
    output(counting=[[1.0, 2.0], [3.0]])
elif mode == "flat-list":
    output(counting=[1.0, 2.0, 3.0])
elif mode in ("short-file", "wrong-shape"):
    # A reference written by hand: 5 values in the file, or a shape whose product is not the length.
    directory = os.environ["FLOW_SCRIPT_DIR"]
    with open(os.path.join(directory, "out-1.bin"), "wb") as f:
        f.write(array.array("d", [1, 2, 3, 4, 5]).tobytes())
    shape, length = ([2, 3], 6) if mode == "short-file" else ([2, 2], 5)
    reference = {"$flow": "binary", "dtype": "float64", "file": "out-1.bin", "length": length, "shape": shape}
    with open(os.path.join(directory, "output.json"), "w") as f:
        json.dump({"counting": reference}, f)
elif mode == "single":
    output(names="a")
