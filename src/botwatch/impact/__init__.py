"""Impact: do automated accounts' volume and sentiment about a party lead the rest of the
conversation? Granger causality and VAR impulse responses over the `timeline` series."""
