"""One module per operation: request model, response model, paging spec and handler."""
