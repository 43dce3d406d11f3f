# Returns "values" (a JSON list here) times two, as a JSON list: the text path, for comparison.
from flow_script import inputs, output

output([v * 2 for v in inputs["values"]])
