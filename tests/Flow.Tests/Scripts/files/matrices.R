# Rectangular arrays both ways: echoed, summed by column, made by the script, and one-value vectors for collections.
source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()
names <- c("doubles", "floats", "ints", "longs")

if (inputs$mode == "echo") {
  result <- inputs[names]
  result$kinds <- lapply(inputs[names], function(m) sprintf("%s %s %d x %d", class(m)[1], typeof(m), nrow(m), ncol(m)))
  flow_output(result)
} else if (inputs$mode == "sums") {
  flow_output(list(
    columnSums = lapply(inputs[names], colSums),
    shapes = lapply(inputs[names], dim)
  ))
} else if (inputs$mode == "make") {
  flow_output(list(
    counting = matrix(c(0, 1, 2, 3, 4, 5), nrow = 2, byrow = TRUE),
    transposed = t(matrix(0:5, nrow = 3, byrow = TRUE)),
    narrowed = matrix(0.1, nrow = 2, ncol = 2),
    whole = matrix(c(1, 2, 3, 4), nrow = 2, byrow = TRUE),
    rows = matrix(c(0, 1, 2, 3, 4, 5), nrow = 2, byrow = TRUE),
    listed = list(c(1.5, 2.5), c(3.5, 4.5))
  ))
} else if (inputs$mode == "single") {
  flow_output(list(names = "a", tags = "x", scores = 2.5, items = list(label = "one", score = 1), none = list()))
} else if (inputs$mode == "single-mismatch") {
  flow_output(list(names = "a", items = "one"))
}
