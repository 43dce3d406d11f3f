# Fits one region's model with R's lm, as the case study's models were: views on the title's features, on the
# training rows; returns the coefficients and the predictions for the held-out rows.
source(file.path(Sys.getenv("FLOW_SCRIPT_LIB"), "flow_script.R"))
inputs <- flow_inputs()

columns <- c("budget", "runtimeMinutes", "starPower", "marketing", "daysSinceLaunch", "weekend")
frame <- function(part) {
  data <- as.data.frame(lapply(columns, function(name) as.numeric(part[[name]])))
  names(data) <- columns
  data$views <- as.numeric(part$views)
  data
}

train <- frame(inputs$train)
test <- frame(inputs$test)
fit <- lm(views ~ budget + runtimeMinutes + starPower + marketing + daysSinceLaunch + weekend, data = train)
message("lm on ", nrow(train), " rows of ", inputs$region, ": R² on the training rows ", round(summary(fit)$r.squared, 3))

# Coefficients in the order of columns, the intercept first; a coefficient lm could not estimate counts as 0.
coefficients <- unname(coef(fit)[c("(Intercept)", columns)])
coefficients[is.na(coefficients)] <- 0
flow_output(list(coefficients = coefficients, predictions = as.numeric(predict(fit, newdata = test))))
