# Returns "values" times two, as the same kind of array.
import array
from flow_script import inputs, output

values = inputs["values"]
if isinstance(values, array.array):
    doubled = array.array("d", values)
    for i in range(len(doubled)):
        doubled[i] *= 2
else:
    doubled = values * 2
output(doubled)
