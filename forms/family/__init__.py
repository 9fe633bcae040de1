"""What families do: drafts, prefill, submit, the family space, renewal, notifications (uses the engine)."""
