from flow_script import inputs
print("computed", inputs["x"] * 2, "but forgot output()")
