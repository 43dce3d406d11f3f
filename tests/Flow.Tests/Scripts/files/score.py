# The Python step of ScriptFlow: fails while FLOW_TEST_SCRIPT_FAIL is set.
import os
import sys
from flow_script import inputs, output

print("scoring shard", inputs["shard"])
print("python stderr line", file=sys.stderr)
if os.environ.get("FLOW_TEST_SCRIPT_FAIL"):
    raise RuntimeError("scoring failed on purpose")
features = inputs["features"]
output(auc=sum(features) / len(features), shard=inputs["shard"])
