"""Language layer: language identification, lexicons, word sets and negativity scoring."""
