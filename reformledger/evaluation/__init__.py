"""Reform evaluation (改革评估): comprehensive, special and third-party evaluations, their
criteria, self-assessments, scores, findings and recommendations."""
