"""Scores every region's held-out predictions with scikit-learn: R², RMSE and MAE, computed independently of ML.NET."""
import math

from flow_script import inputs, output
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

scores = []
for region in inputs["regions"]:
    actual, predicted = list(region["actual"]), list(region["predicted"])
    scores.append({
        "region": region["region"],
        "rSquared": float(r2_score(actual, predicted)),
        "rmse": float(math.sqrt(mean_squared_error(actual, predicted))),
        "mae": float(mean_absolute_error(actual, predicted)),
    })
    print(f"{region['region']}: R² {scores[-1]['rSquared']:.4f} on {len(actual)} held-out rows")

output(regions=scores)
