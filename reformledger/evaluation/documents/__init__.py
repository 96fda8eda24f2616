"""The evaluation's documents: its criteria and scores as a workbook, the list of
evaluations as a workbook, one evaluation as a Word sheet in the official layout, and
the satisfaction-survey sheet read back (`survey_sheet`)."""
