"""Commands about what the store holds: evidence, reports and narratives, status, the
audit chain, contacts."""
