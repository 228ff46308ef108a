"""Engines other than the default DuckDB study (Spark), running the same Ibis expressions."""
