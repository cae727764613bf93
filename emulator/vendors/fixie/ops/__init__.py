"""One module per Fixie operation: request model, response model, paging spec and handler."""
