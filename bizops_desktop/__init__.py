"""BizOps Desktop: shop analytics for small online shops (recommendations, basket rules,
forecasts, pricing, churn risk) in one desktop program."""

__version__ = "0.1.0"
