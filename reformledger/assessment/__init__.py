"""Annual assessment (年度考核): green and yellow cards (绿黄牌) for every assessed unit,
computed from the ledger under the year's rule set."""
