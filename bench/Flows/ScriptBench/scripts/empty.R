source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
flow_output(0)
