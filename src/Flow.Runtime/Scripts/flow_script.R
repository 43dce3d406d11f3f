# Flow's helper for R scripts run by Flow.Script.Run:
#   source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
#   inputs <- flow_inputs()                  # what the step passed: a named list (camelCase names)
#   flow_output(list(auc = 0.91))            # the result, once
# Numeric arrays (double[], float[], int[] and long[]) arrive as numeric/integer vectors read from binary files
# (long[] as doubles: R has no 64-bit integer), double[,], float[,], int[,] and long[,] as matrices (element [i, j] of
# the step's array is m[i + 1, j + 1]), byte[] as a raw vector. In the output, numeric and integer vectors of two or
# more values, numeric and integer matrices and raw vectors cross as binary files; a vector of one value is written as
# that value (wrap it in I() to keep it an array).

if (!requireNamespace("jsonlite", quietly = TRUE)) {
  stop("flow_script.R needs the jsonlite package: apt-get install -y r-cran-jsonlite (or install.packages(\"jsonlite\"))")
}

.flow <- new.env()
.flow$dir <- Sys.getenv("FLOW_SCRIPT_DIR")
if (!nzchar(.flow$dir)) {
  stop("flow_script.R is for scripts run by Flow.Script.Run (FLOW_SCRIPT_DIR is not set)")
}
.flow$files <- 0L
.flow$number <- "__flow_number__"
.flow$written <- FALSE

.flow_read_binary <- function(ref) {
  path <- file.path(.flow$dir, basename(ref$file))
  n <- as.numeric(ref$length)
  con <- file(path, "rb")
  on.exit(close(con))
  values <- switch(ref$dtype,
    float64 = readBin(con, "double", n = n, size = 8, endian = "little"),
    float32 = readBin(con, "double", n = n, size = 4, endian = "little"),
    int32 = readBin(con, "integer", n = n, size = 4, endian = "little"),
    int64 = {
      # Two 32-bit halves, combined in a double: exact up to 2^53.
      bytes <- matrix(as.integer(readBin(con, "raw", n = n * 8)), nrow = 8)
      weights <- c(1, 256, 65536, 16777216)
      low <- colSums(bytes[1:4, , drop = FALSE] * weights)
      high <- colSums(bytes[5:8, , drop = FALSE] * weights)
      high <- ifelse(high >= 2^31, high - 2^32, high)
      as.numeric(high * 2^32 + low)
    },
    bytes = , uint8 = readBin(con, "raw", n = n),
    stop(sprintf("flow_script.R cannot read dtype '%s'", ref$dtype))
  )
  if (length(ref$shape) == 2) {
    # The file is row-major (C order); R's matrices are column-major.
    values <- matrix(values, nrow = ref$shape[1], ncol = ref$shape[2], byrow = TRUE)
  }
  values
}

.flow_walk <- function(x) {
  if (is.list(x)) {
    if (identical(x[["$flow"]], "binary")) {
      return(.flow_read_binary(x))
    }
    if (length(x) > 0) {
      x[] <- lapply(x, .flow_walk)
    }
  }
  x
}

# What the step passed to the script.
flow_inputs <- function() {
  value <- jsonlite::read_json(file.path(.flow$dir, "inputs.json"),
    simplifyVector = TRUE, simplifyDataFrame = FALSE, simplifyMatrix = FALSE)
  .flow_walk(value)
}

.flow_binary <- function(x, dtype, shape = NULL) {
  .flow$files <- .flow$files + 1L
  name <- sprintf("out-%d.bin", .flow$files)
  con <- file(file.path(.flow$dir, name), "wb")
  on.exit(close(con))
  if (dtype == "bytes") {
    writeBin(x, con)
  } else if (dtype == "int32") {
    writeBin(x, con, size = 4, endian = "little")
  } else {
    writeBin(as.double(x), con, size = 8, endian = "little")
  }
  ref <- list(`$flow` = jsonlite::unbox("binary"), dtype = jsonlite::unbox(dtype), file = jsonlite::unbox(name), length = jsonlite::unbox(length(x)))
  if (!is.null(shape)) {
    ref$shape <- I(as.integer(shape))
  }
  ref
}

.flow_prepare <- function(x) {
  if (is.matrix(x) && (is.integer(x) || is.double(x)) && !is.object(x)) {
    # Written row by row (C order), as the step's double[,] and numpy hold it.
    return(.flow_binary(as.vector(t(x)), if (is.integer(x)) "int32" else "float64", dim(x)))
  }
  if (is.null(x) || is.data.frame(x) || !is.null(dim(x)) || inherits(x, "AsIs") || is.factor(x)) {
    return(x)
  }
  if (is.raw(x)) {
    return(.flow_binary(x, "bytes"))
  }
  if (is.list(x)) {
    if (length(x) > 0) {
      x[] <- lapply(x, .flow_prepare)
    }
    return(x)
  }
  if (length(x) > 1 && is.null(names(x)) && (is.integer(x) || is.double(x)) && !is.object(x)) {
    return(.flow_binary(x, if (is.integer(x)) "int32" else "float64"))
  }
  if (length(x) == 1 && is.double(x) && is.null(names(x)) && !is.object(x) && !is.na(x) || identical(x, NaN)) {
    # jsonlite writes 15 significant digits: a number is written with 17 (exact), NaN and infinities by name.
    if (is.nan(x)) return("NaN")
    if (is.infinite(x)) return(if (x > 0) "Infinity" else "-Infinity")
    return(paste0(.flow$number, sprintf("%.17g", x)))
  }
  x
}

# Hands the script's result to the step: a named list for a record or dictionary, or any value. Call it once.
flow_output <- function(value) {
  if (isTRUE(.flow$written)) {
    stop("flow_output() was called twice; call it once, with the whole result")
  }
  text <- jsonlite::toJSON(.flow_prepare(value), auto_unbox = TRUE, null = "null", na = "null", digits = NA)
  text <- gsub(paste0("\"", .flow$number, "([^\"]+)\""), "\\1", text, perl = TRUE)
  path <- file.path(.flow$dir, "output.json")
  writeLines(text, paste0(path, ".tmp"), useBytes = TRUE)
  file.rename(paste0(path, ".tmp"), path)
  .flow$written <- TRUE
  invisible(value)
}
