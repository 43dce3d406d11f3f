from flow_script import output
output(0)
