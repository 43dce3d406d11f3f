source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()
cat("about to fail\n")
stop(paste("bad shard", inputs$shard))
