"""Guards against what a hostile or broken page can do to a parser: deep JSON, huge numbers, huge markup."""
