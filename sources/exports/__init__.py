"""Export files: reading bytes into rows and the known export layouts."""
