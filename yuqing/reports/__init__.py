"""Reports: the monthly accountability report and the daily/weekly briefings, as .docx and .xlsx."""
