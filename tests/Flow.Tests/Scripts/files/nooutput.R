source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()
cat("computed", inputs$x * 2, "but forgot flow_output()\n")
