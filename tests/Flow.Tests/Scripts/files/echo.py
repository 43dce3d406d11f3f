# Returns its inputs, with the Python type of each and the sum of "values".
import os
from flow_script import inputs, output

result = dict(inputs)
result["kinds"] = {name: type(value).__name__ for name, value in inputs.items()}
result["valuesSum"] = float(sum(inputs["values"]))
result["folder"] = os.environ["FLOW_SCRIPT_DIR"]
print("echo.py got", len(inputs), "inputs")
output(result)
