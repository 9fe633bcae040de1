"""What agents do: workflow, corrections, validation, exports, the counter, roles (uses family and engine)."""
