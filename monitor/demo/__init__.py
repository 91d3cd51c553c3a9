"""The offline demo: real captured pages served from a local site, crawled, analysed and summarised."""
