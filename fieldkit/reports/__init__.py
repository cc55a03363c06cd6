"""The supervisor's figures for a day, a week or a month, and their exports (CSV, XLSX, PDF)."""
