# tools/: the impulse command.
