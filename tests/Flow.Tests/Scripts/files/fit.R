# The R step of ScriptFlow.
source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()
cat("fitting shard", inputs$shard, "\n")
message("r stderr line")
flow_output(list(auc = max(inputs$features), shard = inputs$shard))
