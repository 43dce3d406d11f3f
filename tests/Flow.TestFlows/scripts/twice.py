# Doubles inputs["x"]; one line on each stream.
import sys
from flow_script import inputs, output

print("twice.py in a worker:", inputs["x"])
print("twice.py stderr", file=sys.stderr)
output(inputs["x"] * 2)
