"""Analytics: profile computations as Ibis expressions, on the store, DuckDB or Spark."""
