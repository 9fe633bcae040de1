"""What families file and keep: the household (foyer) and, after the restructuring, drafts, prefill, submit,
the family space and renewal."""
