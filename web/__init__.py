"""The evidence portal: committee leads submit, reviewers review, in a browser."""
