# Numeric arrays in the forms a script may return them: lists, single numbers, binary files of other types.
import array
from flow_script import inputs, output

if inputs["mode"] == "forms":
    output(
        values=[1.5, 2, -0.25],
        floats=2.5,
        ints=array.array("q", [1, -2, 2**31 - 1]),
        longs=array.array("i", [7, -7]),
        series=[0.5, "NaN", "-Infinity"],
        blob="AAEC/w==",
    )
else:
    output(ints=array.array("d", [1.0, 2.5]))
