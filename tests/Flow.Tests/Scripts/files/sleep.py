# Writes its process id and folder to inputs["marker"], then sleeps.
import os
import time
from flow_script import inputs

with open(inputs["marker"] + ".tmp", "w") as f:
    f.write("%d\n%s\n" % (os.getpid(), os.environ["FLOW_SCRIPT_DIR"]))
os.replace(inputs["marker"] + ".tmp", inputs["marker"])
time.sleep(120)
