# Returns its inputs, with the R class of each and the sum of "values".
source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()
result <- inputs
result$kinds <- lapply(inputs, function(value) class(value)[1])
result$valuesSum <- sum(inputs$values)
result$folder <- Sys.getenv("FLOW_SCRIPT_DIR")
cat("echo.R got", length(inputs), "inputs\n")
flow_output(result)
