"""The program report: outcomes as numbers, charts, a self-contained HTML page and CSV files."""
