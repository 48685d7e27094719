# examples/: the demo program traced by `make demo`.
