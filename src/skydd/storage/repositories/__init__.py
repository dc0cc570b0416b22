"""One repository module per aggregate; rows are converted to domain values explicitly."""
